"""The 1,000 ImageNet class names, in the order a classifier's outputs use."""
import ast

from core.data.images import package_file


def imagenet_classes() -> list[str]:
    """ImageNet-1k class names from torchvision's metadata file, read as text (importing torchvision.models is slow)."""
    tree = ast.parse(package_file("torchvision", "models", "_meta.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_IMAGENET_CATEGORIES":
            return list(ast.literal_eval(node.value))
    raise FileNotFoundError("torchvision's ImageNet class names were not found in torchvision/models/_meta.py")
