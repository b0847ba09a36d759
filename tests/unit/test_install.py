"""The installer's Debian step: as a user who is not root, a missing package is named with the exact command to
install it, and installation carries on."""
import subprocess

from core.lecture import ROOT


def test_a_missing_package_is_named_with_its_install_command_when_not_root(tmp_path):
    fake_id = tmp_path / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n")
    fake_id.chmod(0o755)
    result = subprocess.run([str(ROOT / "scripts" / "debian-packages.sh"), "no-such-package-for-this-test", "bash"],
                            capture_output=True, text=True, env={"PATH": f"{tmp_path}:/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 0
    assert "sudo apt-get install -y no-such-package-for-this-test" in result.stderr
    assert "bash" not in result.stderr.split("install -y")[1]  # installed packages are not listed
    assert "Carrying on" in result.stderr


def test_nothing_is_printed_when_every_package_is_installed():
    result = subprocess.run([str(ROOT / "scripts" / "debian-packages.sh"), "bash", "coreutils"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == ""
