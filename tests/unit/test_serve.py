"""`make serve`'s configurations: nginx accepts them for any number of workers, each worker's cookie leads to it
with every other worker as its fallback, and supervisord gets a program and a health check per worker."""
import configparser
import re
import shutil
import subprocess

import pytest

from serve import launch


def layout(tmp_path, workers: int) -> launch.Layout:
    return launch.Layout("127.0.0.1", 8500, tuple(range(8601, 8601 + workers)), tmp_path / "run")


NGINX = shutil.which("nginx", path="/usr/sbin:/usr/bin")
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (`make install` installs it as root)")


@needs_nginx
@pytest.mark.parametrize("workers", [1, 2, 16])
def test_nginx_accepts_the_configuration(tmp_path, workers):
    lay = layout(tmp_path, workers)
    launch.write(lay)
    result = subprocess.run([NGINX, "-t", "-p", lay.run, "-c", lay.run / "nginx.conf"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_each_worker_has_its_cookie_and_the_others_as_fallback(tmp_path):
    conf = launch.nginx_conf(layout(tmp_path, 3))
    assert "        worker2 worker2;" in conf  # the cookie's value names the worker's group
    group = conf.split("upstream worker2 {", 1)[1].split("}", 1)[0]
    assert "server 127.0.0.1:8602 max_fails=1" in group
    assert "server 127.0.0.1:8601 backup;" in group and "server 127.0.0.1:8603 backup;" in group
    assert '"~(^|\\s)127\\.0\\.0\\.1:8602$" worker2;' in conf  # the answering worker's address names it back
    assert not re.search(r"@[A-Z_]+@", conf)  # every part of the template was filled in


@needs_nginx
def test_supervisord_runs_every_worker_with_a_health_check_and_one_cookie_secret(tmp_path):
    lay = layout(tmp_path, 2)
    conf = launch.write(lay)
    assert conf.stat().st_mode & 0o077 == 0  # the cookie secret is readable by its owner only
    parsed = configparser.RawConfigParser()
    parsed.read(conf)
    for name, port in lay.workers:
        program = parsed[f"program:{name}"]
        assert f"--server.port {port}" in program["command"] and program["autorestart"] == "true"
        assert f"http://127.0.0.1:{port}/_stcore/health" in parsed[f"eventlistener:{name}_health"]["command"]
    secrets = {parsed[f"program:{n}"]["environment"].split('"')[1] for n, _ in lay.workers}
    assert len(secrets) == 1 and len(secrets.pop()) == 64
    assert "program:nginx" in parsed
