"""CNNs: convolution, layers of convolutions trained on real data, what the network learned, which pixels made it
decide, ImageNet classification, and retrieval."""
from core.ui.segment import show

show(__file__)
