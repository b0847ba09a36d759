"""CNNs: convolution, layers of convolutions trained on real data, what the network learned, which pixels made it
decide, ImageNet classification, and retrieval."""
from core.ui.segment import show

SECTIONS = (  # as core.lecture lists them (tests/unit/test_layout.py keeps the two equal)
    "Convolution", "Layers of convolutions", "What has the network learned?", "Why a house, a dog, a train",
    "Classification", "Retrieval",
)

show(__file__)
