# Sourced by the benchmark scripts: the peers come from Debian's packages, installed only when missing
# (tests never need them). A download that fails for stale package lists updates them once.

apt_install() {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# need_python_module MODULE PACKAGE...: installs the packages unless Debian's python3 imports MODULE
need_python_module() {
  local module=$1
  shift
  /usr/bin/python3 -c "import $module" 2>/dev/null || apt_install "$@"
}

# need_commands "COMMAND..." PACKAGE...: installs the packages unless every command is on the PATH
need_commands() {
  local c
  for c in $1; do
    command -v "$c" >/dev/null || { shift; apt_install "$@"; return; }
  done
}

# debs_extracted DIR PACKAGE...: downloads the packages (not installed) and unpacks them under DIR/x
debs_extracted() {
  local dir=$1
  shift
  (cd "$dir" && { apt-get download "$@" >/dev/null 2>&1 || { apt-get update -qq && apt-get download "$@" >/dev/null; }; } \
    && for d in *.deb; do dpkg-deb -x "$d" x; done)
}
