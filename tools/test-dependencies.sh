#!/usr/bin/env sh
# The Debian packages the tests need besides the .NET SDK and Node: Chromium, driven by Playwright for
# the learner and administrator pages, poppler-utils, whose pdftoppm renders report pages to PNG, and
# php-cli, whose php -l checks every PHP file of the Moodle plugin. Installs what is missing (as root, or through sudo), skips what is
# there, so running it again costs nothing.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
command -v php >/dev/null 2>&1 || missing="$missing php-cli"
[ -z "$missing" ] && exit 0
echo "Installing Debian packages for the tests:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then apt="apt-get"; elif command -v sudo >/dev/null 2>&1; then apt="sudo apt-get"; else
  echo "Install these Debian packages first (as root): apt-get install -y$missing" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
$apt install -y --no-install-recommends $missing >/dev/null || { $apt update >/dev/null && $apt install -y --no-install-recommends $missing >/dev/null; }
