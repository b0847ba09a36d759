"""Opening the app in Streamlit's AppTest, as every page test does: the app's own entry point, switched to one page,
with settings in its URL."""
from streamlit.testing.v1 import AppTest

from core.lecture import ROOT
from core.ui.warmup import ASK, MAX_ASKS


def open_page(page: str, section: str | None = None, **params) -> AppTest:
    """The app run on pages/<page>.py with `section` (if given; else the page's first) and `params` in its URL."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for k, v in {**({"section": section} if section else {}), **params}.items():
        at.query_params[k] = v
    return at.switch_page(f"pages/{page}.py").run()


def asks(at: AppTest) -> list:
    """The buttons that ask for slow work (core/ui/heavy.py's on_request)."""
    return [b for b in at.button if b.key and b.key.startswith(ASK)]


def ask_all(at: AppTest) -> AppTest:
    """Press those buttons, one after the other, until none is left."""
    for _ in range(MAX_ASKS):
        if not asks(at):
            break
        asks(at)[0].click().run()
    return at


def image_captions(at: AppTest) -> list[str]:
    """The captions under every picture on the page."""
    return [caption for image in at.get("image") for caption in image.captions]


def markdown(at: AppTest) -> str:
    """Every markdown text of the app (page and sidebar), as one text."""
    return " ".join(m.value for m in at.markdown)


def captions(at: AppTest) -> str:
    """The captions of the page and of its pictures, as one text."""
    return " ".join([c.value for c in at.caption] + image_captions(at))



def _nodes(block):
    for child in getattr(block, "children", {}).values():
        yield child
        yield from _nodes(child)


def bound_keys(at: AppTest) -> set[str]:
    """The controls Streamlit binds to the URL (the browser then writes their values into the address, which
    AppTest, running no JavaScript, cannot show; the browser tests check the address itself)."""
    return {node.key for block in (at.main, at.sidebar) for node in _nodes(block)
            if getattr(node, "key", None) and getattr(getattr(node, "proto", None), "query_param_key", "") == node.key}


def bound(at: AppTest, key: str) -> bool:
    """Whether the control `key` is bound to the URL by Streamlit."""
    return key in bound_keys(at)


def value_of(at: AppTest, key: str):
    """The value the control `key` shows."""
    return next(node.value for block in (at.main, at.sidebar) for node in _nodes(block)
                if getattr(node, "key", None) == key)
