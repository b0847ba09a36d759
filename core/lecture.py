"""The tutorial's segments and their sections in lecture order: the one list that app.py, the pages, the tests and
the benchmarks read."""
import functools
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Section:
    title: str
    module: str  # the module whose section() draws it

    @property
    def file(self) -> Path:
        return ROOT / (self.module.replace(".", "/") + ".py")


@dataclass(frozen=True)
class Segment:
    title: str  # in the navigation
    heading: str  # at the top of its page
    file: str  # relative to the repository root
    icon: str
    sections: tuple[Section, ...]

    @property
    def url_path(self) -> str:
        """The file's name: the path Streamlit also gives a `pages/` file before st.navigation first runs."""
        return Path(self.file).stem

    def section(self, title: str) -> Section:
        return next(s for s in self.sections if s.title == title)


def _sections(package: str, *sections: tuple[str, str]) -> tuple[Section, ...]:
    return tuple(Section(title, f"core.{package}.ui.{module}") for title, module in sections)


SEGMENTS = [
    Segment("Recap", "Recap: what a model does, and where features come from", "pages/recap.py", ":material/replay:",
            _sections("recap", ("The toolkit perspective", "toolkit"), ("Features: hand-made vs learned", "features"),
                      ("Data A vs Data B", "separability"))),
    Segment("Feed-forward networks", "Feed-forward networks", "pages/feed_forward.py", ":material/hub:",
            _sections("feed_forward", ("Neurons and non-linearity", "neurons"), ("Sums of sigmoids", "sum_of_sigmoids"),
                      ("Playground", "playground"), ("Gradient descent and SGD", "descent"),
                      ("Backpropagation", "backprop"), ("Overfitting and regularization", "regularization"))),
    Segment("CNNs", "Convolutional neural networks", "pages/cnns.py", ":material/grid_on:",
            _sections("cnn", ("Convolution", "convolution"), ("Layers of convolutions", "layers"),
                      ("What has the network learned?", "learned"), ("Why a house, a dog, a train", "saliency"),
                      ("Classification", "classification"), ("Retrieval", "retrieval"))),
    Segment("RNNs", "Recurrent neural networks", "pages/rnns.py", ":material/repeat:",
            _sections("rnn", ("The recurrence, step by step", "recurrence"), ("Memorizing and forgetting", "memory"),
                      ("Translation with attention", "translation"), ("Sentiment prediction", "sentiment"))),
    Segment("Generative models", "Generative models", "pages/generative.py", ":material/auto_awesome:",
            _sections("generative",
                      ("You just discriminated using a generative model", "generative_vs_discriminative"),
                      ("Autoencoders", "autoencoders"), ("Variational autoencoders", "vae"), ("GANs", "gans"))),
    Segment("Adversarial examples & OOD", "Adversarial examples and out-of-distribution generalization",
            "pages/adversarial.py", ":material/bug_report:",
            _sections("adversarial", ("Adversarial examples", "attacks"), ("How fragile, how defended", "robustness"),
                      ("Physical adversarial examples", "physical"),
                      ("Out-of-distribution generalization", "out_of_distribution"))),
]


@functools.cache
def segment_of(page_file: str) -> Segment:
    """The segment a page file shows (asked on every script run: kept)."""
    return next(s for s in SEGMENTS if (ROOT / s.file).resolve() == Path(page_file).resolve())


# The lecture as the notes deliver it: parts with their time budgets, and stops in the notes' order. A stop is one
# section of a page in a given state (its preset, a link), or a short text for slides with no data behind them.
LECTURE_PAGE = "pages/lecture.py"  # draws the text stops, and the whole lecture as a list of links


@dataclass(frozen=True)
class Part:
    title: str
    minutes: int | None  # the notes' time budget; None where the notes give none


PARTS = (Part("Tutorial 2", None), Part("Reflections on Assignment 1", 2), Part("Quick Recap of Tutorial 1", 5),
         Part("Feed-forward networks", 20), Part("Convolutional neural networks", 10),
         Part("Recurrent neural networks", 10), Part("GANs and other generative models", 10),
         Part("Adversarial examples and out-of-distribution generalization", 10), Part("Summary", None))


@dataclass(frozen=True)
class Stop:
    part: str  # a Part's title
    title: str
    notes: tuple[str, ...]  # speaker notes: the notes' bullets for this stop
    page: str = LECTURE_PAGE  # the page file that draws it
    section: str | None = None  # that page's section; None for a text stop
    preset: tuple[tuple[str, str], ...] = ()  # the section's settings, as in its URL
    text: str = ""  # a text stop's slide (markdown)
    question: str = ""  # asked of the class before the answer is revealed
    answer: str = ""
    links: tuple[str, ...] = ()  # names in LINKS, shown with the section

    @property
    def params(self) -> dict[str, str]:
        """The URL parameters that open this stop's page in its state (lecture mode's own parameter aside)."""
        return ({"section": self.section} if self.section else {}) | dict(self.preset)

    @property
    def url_path(self) -> str:
        return Path(self.page).stem


def _text(part: str, title: str, text: str, *notes: str) -> Stop:
    return Stop(part, title, notes, text=text)


def _demo(part: str, segment: str, section: str, title: str, *notes: str, question: str = "", answer: str = "",
          links: tuple[str, ...] = (), **preset: str) -> Stop:
    page = next(s for s in SEGMENTS if s.url_path == segment)
    page.section(section)  # fails here, on import, if the section does not exist
    return Stop(part, title, notes, page.file, section, tuple(preset.items()), question=question, answer=answer,
                links=links)


TITLE, REFLECT, RECAP, FF, CNN, RNN, GEN, ADV, SUMMARY = (p.title for p in PARTS)
LINKS = {  # every link and reference in the notes, with where it is used
    "TensorFlow Playground": "https://playground.tensorflow.org/",
    "CS231n (Stanford)": "http://cs231n.github.io/",
    "Video series, videos 1–10": "https://www.youtube.com/watch?v=bXJx7y51cl0&list=PLkDaE6sCZn6Gl29AoE31iwdVwSG-KnDzF"
                                 "&index=10",
    "Why?": "https://www.youtube.com/watch?v=VOC3huqHrss",
    "If you like the song": "https://www.youtube.com/watch?v=0jgrCKhxE1s",
    "Illustrated RNN": "https://www.youtube.com/watch?v=LHXXI4-IEns",
    "Illustrated LSTM/GRU": "https://www.youtube.com/watch?v=8HyCNIVRbSU",
}
REFERENCES = ("Feature visualization: Zeiler & Fergus 2013, *Visualizing and Understanding Convolutional Networks*",
              "Convolutional network figure: Yann LeCun", "Classification and retrieval: Krizhevsky 2012 (AlexNet)",
              "Seq2Seq-Vis (Strobelt et al.)", "Translation example: neural machine translation (NMT) vs V8")


def link(name: str) -> str:
    """A link of the notes as markdown."""
    return f"[{name}]({LINKS[name]})"


STOPS = (
    _text(TITLE, "CNNs, RNNs, GANs et al.",
          "**Tutorial 2** · Spandan Madan\n\n" + "\n".join(f"{i}. {p.title} ({p.minutes} min)"
                                                          for i, p in enumerate(PARTS[1:-1], 1)) + "\n6. Summary",
          "Welcome; today's plan, segment by segment, with the time each one gets."),
    _text(REFLECT, "Reflections on Assignment 1",
          "**Congratulations! Great job!**\n\n- Tough assignment, lots covered – python, git, jupyter, colab, "
          "pytorch.\n- Thank you for your patience!\n- Inputs, questions, discussions all highly appreciated!\n"
          "- Please share your concluding thoughts on slack!",
          "Congratulate: a tough assignment, lots covered.", "Ask for concluding thoughts on slack."),
    _text(RECAP, "Recap of Tutorial 1",
          "- Git – version control system\n- Github = Git + hub\n- Jupyter, colab\n- Introduction to ML: the "
          "equations, the components of these equations and how to code them up.",
          "Git, GitHub, Jupyter and Colab; the ML equations and how to code them up."),
    _demo(RECAP, "recap", "The toolkit perspective", "The toolkit perspective",
          "A model takes in information and returns more useful information."),
    _demo(RECAP, "recap", "Features: hand-made vs learned", "Features, and learning them",
          "Features – aspects of input useful for the task.", "Researchers have spent their entire careers finding "
          "useful features.", "Deep learning: let's learn the right features; a learned feature hierarchy.",
          question="4 legs? But then, how do you find legs in the image?",
          answer="Hand-made features (edges, HOG) took careers to design; deep learning learns the right features, "
                 "low to middle to high level."),
    _demo(FF, "recap", "Data A vs Data B", "Which data set is hard?", "Intuition for how this works.",
          question="Which of these data sets would be hard to train a classifier for?",
          answer="Data B: no straight line separates its classes, while one does for Data A.", ab_lift="0"),
    _demo(FF, "recap", "Data A vs Data B", "Transform Data B into Data A",
          "Is there a way to transform Data B into Data A so that classification becomes easy?",
          "That is precisely what deep learning does!", ab_lift="1"),
    _demo(FF, "feed_forward", "Neurons and non-linearity", "Linear and non-linear neurons",
          "Anatomy: artificial neuron, multiple layers, activation functions, architectures (later).",
          "A neuron: weight, bias, and a function inside (sigmoid, ReLU, tanh…).",
          "Fit the simplest net (1 layer, 1 neuron) to the data: non-linearity fits more complicated data.",
          "Without non-linearity the whole network acts like a linear function: linear regression.",
          question="Why do we need non-linear nodes?",
          answer="If g(x) is non-linear, f must be non-linear to approximate it: take lines and combine them "
                 "non-linearly, or take non-linear functions and combine them linearly. Without non-linear units, "
                 "a whole network reduces to linear regression."),
    _demo(FF, "feed_forward", "Sums of sigmoids", "Scaled outputs of each neuron, bias −2.676808",
          "From 1 neuron to 1 layer: only 1 layer, but multiple neurons.",
          "Combining simpler functions to approximate more complicated ones.", sig_c="-2.676808"),
    _demo(FF, "feed_forward", "Sums of sigmoids", "Scaled outputs of each neuron, bias 0.206580",
          "Different combinations of sigmoids: the same units, another output bias.",
          "Two ways to look at it: each unit, or the layer as one function.", sig_c="0.20658"),
    _demo(FF, "feed_forward", "Playground", "Tinker with a neural network",
          "Why multiple layers? Groups of neurons in the first layer make patterns; later layers combine them.",
          "Architectures vs classification power; low, medium and high level features.",
          "The slide's settings: learning rate 0.03, tanh, no regularization, 50% training data, noise 0, batch 10.",
          question="Why have multiple layers? What is the utility of multiple layers?",
          answer="Groups of neurons in the first layer make different patterns; the layers after them **combine** "
                 "these patterns into even more complicated ones: low, then middle, then high level features.",
          links=("TensorFlow Playground",),
          pg_lr="0.03", pg_activation="tanh", pg_ratio="50", pg_noise="0", pg_batch="10"),
    _demo(FF, "feed_forward", "Gradient descent and SGD", "Gradient descent and SGD",
          "Training: finding the right weights; one gradient per weight.",
          "SGD: a random sample of training data per iteration: faster, and it can jump out of a tough spot."),
    _demo(FF, "feed_forward", "Backpropagation", "Backpropagation",
          "Gradients in layer 1 depend on those of layer 2.",
          "Re-use calculations made for one layer when calculating another's: the chain rule, forward then "
          "backward pass."),
    _demo(FF, "feed_forward", "Overfitting and regularization", "Regularization",
          "One way to prevent overfitting; many, many ways to regularize."),
    _text(FF, "Recap: training a feed-forward network",
          "- Training → finding the right set of weights such that output of net is favourable.\n"
          "- Loss → quantifying how well a particular set of weights does.\n- Thus, training = minimizing loss.\n"
          "- Loss is minimized by updating weights as dictated by gradient descent.\n"
          "- To calculate gradient, we use backpropagation which re-uses calculations.\n"
          "- One common problem is overfitting. It results in good **training** performance, but the model doesn't "
          "generalize to new samples.\n- Regularization is one way to prevent overfitting.\n\n"
          "*Corrected: the notes say overfitting “results in good test performance”; it is good **training** "
          "performance with poor test performance.*",
          "Say the correction aloud: overfitting means good training, poor test performance."),
    _demo(CNN, "cnns", "Convolution", "Images have structure: convolution",
          "Neighbouring pixels must be in place to resemble an object: look at local chunks.",
          "Distil chunks, combine them into more complex chunks; parameter sharing.",
          "The filter (dark blue) slides over the input (blue) and gives the output map (cyan)."),
    _demo(CNN, "cnns", "Layers of convolutions", "CNNs are composed of layers of convolutions",
          "Note that the activation function is still present."),
    _demo(CNN, "cnns", "What has the network learned?", "What has the network learned?",
          "Feature visualization of a convolutional net trained on ImageNet [Zeiler & Fergus 2013]; [Yann LeCun].",
          links=("CS231n (Stanford)",)),
    _demo(CNN, "cnns", "Why a house, a dog, a train", "House, dog, train",
          "Parts of the image that made the network think it's an image of a house/dog/train."),
    _demo(CNN, "cnns", "Classification", "Applications: classification", "Top-5 classes per photo [Krizhevsky 2012]."),
    _demo(CNN, "cnns", "Retrieval", "Applications: retrieval", "Nearest images in learned features [Krizhevsky 2012]."),
    _text(CNN, "Resources for building further",
          f"- Video series to watch (videos 1–10): {link('Video series, videos 1–10')}\n- {link('Why?')}\n"
          f"- {link('If you like the song')}", "Point to the video series for after class."),
    _demo(RNN, "rnns", "The recurrence, step by step", "Intuition behind RNNs",
          "CNNs = patterns in a grid of numbers, RNNs = patterns in a sequence.",
          "Sequences: words in a sentence, characters in a word, sound pressure in air (speech).",
          question="How should we share parameters? In CNN – across regions of the image, in RNN – across "
                   "regions of _____?",
          answer="Of the sequence: positions in time. The same weights read every word.",
          rec_text="I am hungry, so I will go to the kitchen", rec_cell="RNN"),
    _demo(RNN, "rnns", "The recurrence, step by step", "Patterns in different positions of a sequence",
          "I am hungry, so I will go to the kitchen. / I will go to the kitchen, because I am hungry.",
          question="Which word indicates the blank would be kitchen?",
          answer="“hungry” – before the blank in one sentence, after it in the other: the pattern can be "
                 "anywhere in the sequence.", rec_text="I will go to the kitchen, because I am hungry",
          rec_cell="RNN"),
    _demo(RNN, "rnns", "The recurrence, step by step", "Modern RNNs: LSTM and GRU",
          "Most commonly used: LSTM (Long Short Term Memory) or GRU (Gated Recurrent Unit).",
          "The single unit gets additional properties: it can keep track of patterns across long distances.",
          "Scale values by weights in three places; add the delayed state; output has an activation too.",
          rec_cell="LSTM"),
    _demo(RNN, "rnns", "Memorizing and forgetting", "Memorizing and forgetting",
          "Kilimanjaro … close to the western summit: remember Kilimanjaro to make sense of “summit”.",
          "Networks must have memory to retain such context."),
    _demo(RNN, "rnns", "The recurrence, step by step", "Deep RNNs",
          "Multiple RNN stages, each managing its own state, each with multiple LSTM units.",
          "Further resources: Illustrated RNN, Illustrated LSTM/GRU.",
          links=("Illustrated RNN", "Illustrated LSTM/GRU"),
          rec_cell="LSTM", rec_layers="2"),
    _demo(RNN, "rnns", "Translation with attention", "What do RNNs learn? Seq2Seq-Vis",
          "Seq2Seq-Vis: the encoder's words, attention, compare, swap.",
          "Applications: translation (the notes' Korean example: NMT vs V8).",
          tr_text="die längsten reisen fangen an , wenn es auf den straßen dunkel wird ."),
    _demo(RNN, "rnns", "Sentiment prediction", "Applications: sentiment prediction",
          "The lecture's Crichton review: praise for the book, scorn for the film.", sent_preset="crichton"),
    _demo(GEN, "generative", "You just discriminated using a generative model", "Discriminative vs generative",
          "Consider two coins, one fair, the other unfair.",
          "Generative model for a coin toss: X = {0, 1} with 50% probability; new samples, and discrimination.",
          question="One gives H, H, T, T, H, T, H, T, T, H, H; the other H, H, H, H, H, H, H, H, T, H, H, H. "
                   "Which one is fair?",
          answer="The first (6 heads, 5 tails): it is far likelier under a fair coin. You just discriminated "
                 "using a generative model.",
          gd_seq_a="H, H, T, T, H, T, H, T, T, H, H", gd_seq_b="H, H, H, H, H, H, H, H, T, H, H, H"),
    _demo(GEN, "generative", "Autoencoders", "Auto-encoders",
          "Dimensionality reduction: a summary of a vector. Stenographers of the deep learning world.",
          "This is how google stores your images on the cloud."),
    _demo(GEN, "generative", "Variational autoencoders", "Variational auto-encoders",
          "A standard autoencoder beside a VAE; some faces: learning distributions can be very useful!"),
    _demo(GEN, "generative", "GANs", "Generative adversarial networks",
          "Learning to sample from a complex distribution; data available = images only.",
          "Trained by a discriminator network: generating a new image = fooling the classifier.",
          question="Data available = images of faces only. What can we do with a face image?",
          answer="Train a classifier! It tells real faces from generated ones: the **discriminator network**. "
                 "Generating a new image = fooling that classifier."),
    _demo(ADV, "adversarial", "Adversarial examples", "Adversarial examples",
          "Usually, loss = output value of correct category node; adversarial loss = output of a wrong one.",
          "Many ways to find them, mostly optimization based."),
    _demo(ADV, "adversarial", "How fragile, how defended", "How fragile, how defended",
          "Accuracy against the attack's budget, plain and adversarially trained."),
    _demo(ADV, "adversarial", "Physical adversarial examples", "Physical adversarial examples",
          "Physical adversarial examples exist too!"),
    _demo(ADV, "adversarial", "Out-of-distribution generalization", "Out of distribution: time",
          question="Do networks generalize across time, i.e. video frames?",
          answer="Not reliably: as the camera pans, the prediction flickers from frame to frame.",
          ood_view="Time: video frames"),
    _demo(ADV, "adversarial", "Out-of-distribution generalization", "Out of distribution: pose, colour, blur",
          question="Pose? Change in color/texture? Motion blur?",
          answer="Each breaks the network beyond some severity; training on changed copies (augmentation) helps "
                 "only for the changes it saw.", ood_view="One image, live"),
    _text(SUMMARY, "Summary – 1",
          "- Reflections + Recap\n- Feed forward networks: non-linear neurons, many neurons in one layer, many "
          "layers.\n- Gradient descent to learn it all.\n- Let's exploit problem structure – parameter sharing."),
    _text(SUMMARY, "Summary – 2",
          "- CNNs: same filter across image, capture neighboring features, then combine them across layers.\n"
          "- RNNs: same recurrent node across sequence elements, cell state stores information about past words, "
          "combines with current word.\n- LSTMs/GRUs: for learning long-term relations in sequences."),
    _text(SUMMARY, "Summary – 3",
          "- Generative models: learning the distribution from which data would have come. For ex: faces.\n"
          "- Autoencoders = stenographers\n- VAE = autoencoder beyond just your data.\n"
          "- GAN = generator vs discriminator: distribution learned in the process."),
    _text(SUMMARY, "Summary – 4",
          "- Adversarial examples: **visual illusions for neural networks**.\n"
          "- Out of distribution generalization: **the real end game**.\n\n"
          "*Many moving parts, very little control. If you get frustrated…*"),
    _text(SUMMARY, "Resources",
          "\n".join(f"- {link(name)}" for name in LINKS) + "\n" + "\n".join(f"- {r}" for r in REFERENCES),
          "Every link and reference of the lecture in one place."),
    _text(SUMMARY, "Reminders",
          "- Fill Track A/B sheet!\n- Next assignment will be published this week, due Feb 23.\n"
          "- Project declaration is due 23.\n- Colin/Spandan/Gabriel's Office Hours for discussing projects!\n\n"
          "## Thank you!"),
)
PARTS_BY_TITLE = {p.title: p for p in PARTS}
