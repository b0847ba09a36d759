"""The server's memory settings (core/memory.py), each in a fresh interpreter so that this test process keeps its
own allocator and collector."""
import subprocess
import sys
import textwrap

from core.lecture import ROOT


def run(code: str) -> None:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_allocator_is_settled_on_glibc():
    run("""
        import platform
        from core import memory
        assert memory.settle() == (platform.libc_ver()[0] == "glibc")
        memory.give_back()
    """)


def test_imports_are_frozen_once_each_and_garbage_is_still_collected():
    run("""
        import gc, weakref
        from core import memory

        class Node: pass

        def cycle():
            node = Node(); node.me = node
            return weakref.ref(node)

        before = cycle()
        assert memory.freeze_imports()          # modules were imported: frozen
        assert before() is None                 # what was garbage then was collected, not frozen
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        assert not memory.freeze_imports()      # nothing imported since: nothing to do
        import fractions  # noqa: F401
        assert memory.freeze_imports() and gc.get_freeze_count() > frozen
        after = cycle()
        gc.collect(2)                           # as Streamlit does after each script run
        assert after() is None                  # cycles made since are still found
    """)


def test_the_server_leaves_collection_to_python_rather_than_after_every_run():
    run("""
        from streamlit import config
        config.get_config_options(force_reparse=True)
        assert config.get_option("runner.postScriptGC") is False
    """)


def test_the_first_optimiser_imports_no_gpu_kernel_compiler():
    run("""
        import sys
        from core import memory
        memory.without_compiler()
        import torch
        weight = torch.zeros(2, requires_grad=True)
        optimiser = torch.optim.Adam([weight], lr=0.1)
        (weight - 1).pow(2).sum().backward()
        optimiser.step()
        assert torch.allclose(weight, torch.full((2,), 0.1))  # Adam's first step: lr along the gradient's sign
        assert "torch._dynamo" in sys.modules and sys.modules["triton"] is None
    """)


def test_memory_left_in_the_arenas_is_handed_back_once_it_is_much():
    run("""
        import platform
        from core import memory
        if platform.libc_ver()[0] == "glibc":
            memory.settle()
            assert not memory.tidy()                    # the first look only notes where memory stands
            kept = [bytearray(100_000) for _ in range(3000)]  # 300 MB in blocks the arenas keep when freed
            del kept[::2]
            grown = memory.resident_mb()
            assert memory.tidy()                        # grown by more than TIDY_MB: handed back
            assert memory.resident_mb() < grown - 100
            assert not memory.tidy()                    # nothing new since
    """)
