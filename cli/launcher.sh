#!/bin/sh
# devenv launcher, generated from cli/launcher.sh by scripts/build.mjs.
#
# Hot path: `devenv run [--] CMD...` and `devenv env [--shell bash|zsh|fish|json]` (what editors, direnv and the
# cd hooks call constantly) in a project whose cached environment (in DEVENV_HOME) is still valid are answered
# here with shell built-ins and one `diff`: no Node.js. Everything else, and any doubt, goes to the Node.js CLI,
# which refreshes the cache. The names it reads from the cache file are declared once, in project/cache.ts.
# It names no path of the machine it was built on: an installed copy finds its own files (see `cold`).
_dv_build_id='@BUILD_ID@'
_dv_platform='@PLATFORM@'
_dv_nl='
'
set -f

cold() {
  # The project and the store, whose directories the launcher never starts a program from (see trusted_dir).
  _dv_root=
  find_root || :
  devenv_home || _dv_home=
  # The package this launcher belongs to, found at run time through the links npm installs bins as:
  # an installed copy runs its own dist/, never the clone it was packed from.
  _dv_self=$0
  tool_path
  while [ -L "$_dv_self" ]; do
    _dv_link=$(PATH=$_dv_tool_path readlink "$_dv_self")
    case $_dv_link in /*) _dv_self=$_dv_link ;; *) _dv_self=${_dv_self%/*}/$_dv_link ;; esac
  done
  case $_dv_self in */*) ;; *) _dv_self=./$_dv_self ;; esac
  _dv_dist=$(cd -P "${_dv_self%/*}/.." 2> /dev/null && pwd)/dist
  [ -f "$_dv_dist/bundle/main.js" ] || {
    echo "error: devenv's code is missing: $_dv_dist/bundle/main.js" >&2
    echo "hint: reinstall devenv (npm install -g devenv-cli), or run \`npm run build\` in its clone" >&2
    exit 1
  }
  # Its Node.js (README, "Which Node.js runs devenv"): DEVENV_NODE; else, in the clone it was built in, the
  # node that built it (scripts/build.mjs names it in dist/build-node, which no package ships, only if it is
  # new enough); else the first node on PATH new enough that the launcher may start (see trusted_dir), so
  # devenv never runs on a project's pinned node, nor on a node a repository ships.
  if [ -n "${DEVENV_NODE-}" ]; then
    _dv_node=$DEVENV_NODE
    case $_dv_node in
      /*) node_fits "$_dv_node" || node_missing "DEVENV_NODE is $_dv_node ($_dv_version)" "set DEVENV_NODE to the path of a Node.js @NODE_MIN@ or newer, or unset it" ;;
      *) node_missing "DEVENV_NODE is $_dv_node (not an absolute path)" "set DEVENV_NODE to the absolute path of a Node.js @NODE_MIN@ or newer, or unset it" ;;
    esac
  elif { read -r _dv_node < "$_dv_dist/build-node"; } 2> /dev/null && [ -x "$_dv_node" ] && trusted_dir "${_dv_node%/*}"; then
    :
  else
    find_node || node_missing "${_dv_found:+found only older ones on PATH: }${_dv_found:-found no node on PATH outside the current project and devenv's store}" "install Node.js @NODE_MIN@ or newer on PATH, or set DEVENV_NODE to the path of one"
  fi
  exec "$_dv_node" "$_dv_dist/bundle/main.js" "$@"
}

# node_missing FOUND HINT: one line saying which node(s) the launcher found, and one what to do; exit 1.
node_missing() {
  printf 'error: devenv needs Node.js @NODE_MIN@ or newer; %s\nhint: %s\n' "$1" "$2" >&2
  exit 1
}

# find_node: node, the first node on PATH, in a directory the launcher may start a program from, that is
# @NODE_MIN@ or newer. Each candidate costs a `node --version` (a few ms: it exits before starting JavaScript),
# and only this cold path pays it. False if none is, with the older ones in found ("path (version), ...").
find_node() {
  _dv_found= _dv_seen=: _dv_saved_ifs=$IFS IFS=:
  for _dv_entry in $PATH; do
    IFS=$_dv_saved_ifs
    case $_dv_seen in *:"$_dv_entry":*) continue ;; esac
    _dv_seen=$_dv_seen$_dv_entry:
    trusted_dir "$_dv_entry" && [ -f "$_dv_entry/node" ] && [ -x "$_dv_entry/node" ] || continue
    # The same test on its physical path: a link to the project (or /tmp for /private/tmp) is the project.
    _dv_real=$(cd -P "$_dv_entry" 2> /dev/null && pwd) && trusted_dir "$_dv_real" || continue
    _dv_node=$_dv_entry/node
    node_fits "$_dv_node" && return 0
    _dv_found=${_dv_found:+$_dv_found, }"$_dv_node ($_dv_version)"
  done
  IFS=$_dv_saved_ifs
  return 1
}

# node_fits NODE: true if NODE is Node.js @NODE_MIN@ or newer (package.json's engines); what it said it is in version.
node_fits() {
  [ -f "$1" ] && [ -x "$1" ] || { _dv_version='not an executable file'; return 1; }
  _dv_version=$("$1" --version 2> /dev/null < /dev/null)
  _dv_version=${_dv_version%%"$_dv_nl"*}
  _dv_major=${_dv_version#v} _dv_minor=${_dv_version#v*.}
  _dv_major=${_dv_major%%.*} _dv_minor=${_dv_minor%%.*}
  case $_dv_version in v*.*.*) ;; '') _dv_version='no version'; return 1 ;; *) return 1 ;; esac
  case $_dv_major$_dv_minor in '' | *[!0-9]*) return 1 ;; esac
  [ "$_dv_major" -gt @NODE_MAJOR@ ] || { [ "$_dv_major" -eq @NODE_MAJOR@ ] && [ "$_dv_minor" -ge @NODE_MINOR@ ]; }
}

# trusted_dir DIR: false for a directory the launcher never starts a program from: a relative one, the
# project's (DEVENV_ROOT's, set in a devenv shell, and the one found around $PWD), which a devenv shell puts
# ahead of the system's (node_modules/.bin, .devenv/...), and devenv's store, a project's pinned toolchains.
# The system tools it runs (readlink, diff) and its Node.js are never a file a repository or its packages ship.
trusted_dir() {
  case $1 in '' | [!/]* | "${DEVENV_ROOT:-/nonexistent}" | "${DEVENV_ROOT:-/nonexistent}"/* | "${_dv_root:-/nonexistent}" | "${_dv_root:-/nonexistent}"/* | "${_dv_home:-/nonexistent}"/store/*) return 1 ;; esac
}

# tool_path: $PATH without the directories trusted_dir refuses.
tool_path() {
  _dv_tool_path= _dv_saved_ifs=$IFS IFS=:
  for _dv_entry in $PATH; do
    trusted_dir "$_dv_entry" && _dv_tool_path=${_dv_tool_path:+$_dv_tool_path:}$_dv_entry
  done
  IFS=$_dv_saved_ifs
}

# find_root: root, the project around $PWD (the nearest directory up holding devenv.ts), by its physical path,
# as the Node.js CLI sees it (process.cwd()): one project, however it is reached. False if there is none.
find_root() {
  # Found by going there and back (a subshell would cost a fork), leaving PWD and OLDPWD as they were.
  _dv_logical=$PWD _dv_oldpwd=${OLDPWD-} _dv_had_oldpwd=${OLDPWD+set}
  cd -P . 2> /dev/null || return 1
  _dv_dir=$PWD
  cd "$_dv_logical" 2> /dev/null || return 1
  if [ -n "$_dv_had_oldpwd" ]; then OLDPWD=$_dv_oldpwd; else unset OLDPWD; fi
  [ "$_dv_dir" = / ] && _dv_dir=
  while [ ! -f "$_dv_dir/devenv.ts" ]; do
    [ -n "$_dv_dir" ] || return 1
    _dv_dir=${_dv_dir%/*}
  done
  _dv_root=${_dv_dir:-/}
}

# home: DEVENV_HOME as the CLI computes it (SPEC §4); false if it is relative.
devenv_home() {
  case ${DEVENV_HOME-} in
    /*) _dv_home=$DEVENV_HOME ;;
    '')
      case ${XDG_CACHE_HOME-} in
        /*) _dv_home=$XDG_CACHE_HOME/devenv ;;
        '') if [ "$_dv_platform" = darwin ]; then _dv_home=$HOME/Library/Caches/devenv; else _dv_home=$HOME/.cache/devenv; fi ;;
        *) return 1 ;;
      esac
      ;;
    *) return 1 ;;
  esac
}

# True when CI or DEVENV_TRUST is set to anything but empty, 0 or false (as the CLI reads them).
trusted_by_env() {
  for _dv_value in "${CI-}" "${DEVENV_TRUST-}"; do
    case $_dv_value in '' | 0 | [Ff][Aa][Ll][Ss][Ee]) ;; *) return 0 ;; esac
  done
  return 1
}

# Loads the cache of the project around $PWD into cache_* variables; false if there is none or it is stale.
# The cache lives in DEVENV_HOME under the project's real path (layout.ts, projectState, whose names
# the build writes in here): no repository can ship one. Every file devenv.ts's evaluation read, and
# devenv.lock, must be byte for byte the copies kept beside it: one `diff -rq` of the directory of links to
# them with the directory of copies, the one process the hot path starts (one `cmp` per file would be one
# process each; a shell loop reading files would crawl), in the C locale, where it opens no locale files
# (docs/performance.md, "the launcher").
load_cache() {
  find_root || return 1
  devenv_home || return 1
  _dv_state=$_dv_home/@PROJECTS@${_dv_dir}/@STATE_LEAF@
  [ -f "$_dv_state/@ENV_FILE@" ] && [ -O "$_dv_state/@ENV_FILE@" ] || return 1
  # Its last line names the build: a file a crash cut short names none. Through `command`, a syntax
  # error there (cut inside a quoted value) fails the dot instead of ending the launcher.
  _dv_cache_build=
  command . "$_dv_state/@ENV_FILE@" 2> /dev/null || return 1
  [ "$_dv_cache_build" = "$_dv_build_id" ] || return 1
  [ "$_dv_cache_root" = "$_dv_root" ] || return 1
  # Written while CI or DEVENV_TRUST vouched for devenv.ts: good only while one of them still does.
  [ "$_dv_cache_trust" = record ] || trusted_by_env || return 1
  tool_path
  PATH=$_dv_tool_path LC_ALL=C diff -rq "$_dv_state/@WATCHED@$_dv_cache_snapshot" "$_dv_state/@COPIES@$_dv_cache_snapshot" > /dev/null 2>&1 || return 1
  _dv_saved_ifs=$IFS IFS=$_dv_nl
  # A file where one of devenv.ts's imports would now find it (`lib.ts` beside a `lib/index.ts`): what would
  # run is no longer what was evaluated and trusted.
  for _dv_input in $_dv_cache_absent; do
    { [ -e "$_dv_input" ] || [ -L "$_dv_input" ]; } && { IFS=$_dv_saved_ifs; return 1; }
  done
  # A store entry that lost its binary would let the system's tool of that name run instead.
  for _dv_binary in $_dv_cache_binaries; do
    [ -x "$_dv_binary" ] || { IFS=$_dv_saved_ifs; return 1; }
  done
  # A directory ahead of the toolchains on PATH (node's corepack links) must hold exactly what the CLI
  # last checked: a file a repository or a `git pull` adds there sends this call to the CLI, which refuses it.
  _dv_n=0 _dv_expected=0
  for _dv_input in $_dv_cache_guarded_entries; do _dv_expected=$((_dv_expected + 1)); done
  set +f
  for _dv_dir in $_dv_cache_guarded; do
    for _dv_input in "$_dv_dir"/* "$_dv_dir"/.[!.]* "$_dv_dir"/..?*; do
      [ -e "$_dv_input" ] || [ -L "$_dv_input" ] || continue
      case $_dv_nl$_dv_cache_guarded_entries$_dv_nl in
        *"$_dv_nl$_dv_input$_dv_nl"*) _dv_n=$((_dv_n + 1)) ;;
        *) set -f; IFS=$_dv_saved_ifs; return 1 ;;
      esac
    done
  done
  set -f
  IFS=$_dv_saved_ifs
  [ "$_dv_n" = "$_dv_expected" ]
}

# new_path: devenv's directories, then $PATH without store directories and duplicates.
compose_path() {
  _dv_new_path=$_dv_cache_dirs
  _dv_saved_ifs=$IFS IFS=:
  for _dv_dir in $PATH; do
    case $_dv_dir in '' | "$_dv_cache_store"*) continue ;; esac
    case :$_dv_new_path: in *:"$_dv_dir":*) continue ;; esac
    _dv_new_path=${_dv_new_path:+$_dv_new_path:}$_dv_dir
  done
  IFS=$_dv_saved_ifs
}

# out: $1 with every $2 replaced by $3.
replace_all() {
  _dv_out= _dv_rest=$1
  while :; do
    case $_dv_rest in
      *"$2"*) _dv_out=$_dv_out${_dv_rest%%"$2"*}$3 _dv_rest=${_dv_rest#*"$2"} ;;
      *) _dv_out=$_dv_out$_dv_rest; return ;;
    esac
  done
}

case $1 in
  run)
    case $2 in
      -- ) [ -n "${3-}" ] || cold "$@"; _dv_cmd=$3 ;;
      '' | -*) cold "$@" ;;
      *) _dv_cmd=$2 ;;
    esac
    if load_cache; then
      compose_path
      _dv_outer_path=$PATH PATH=$_dv_new_path
      if command -v "$_dv_cmd" > /dev/null 2>&1; then
        export PATH
        eval "$_dv_cache_posix"
        shift
        [ "$1" = -- ] && shift
        # Every name the launcher uses starts with _dv_: none of the user's variables was touched, and none of these goes on.
        unset _dv_build_id _dv_platform _dv_nl _dv_home _dv_dir _dv_root _dv_state _dv_n _dv_expected _dv_input _dv_binary _dv_saved_ifs _dv_new_path _dv_outer_path _dv_cmd _dv_value _dv_logical _dv_oldpwd _dv_had_oldpwd _dv_tool_path _dv_entry
        unset _dv_cache_snapshot _dv_cache_build _dv_cache_root _dv_cache_trust _dv_cache_store _dv_cache_binaries _dv_cache_guarded _dv_cache_guarded_entries _dv_cache_absent _dv_cache_dirs _dv_cache_posix _dv_cache_fish _dv_cache_json_head _dv_cache_json_tail
        exec "$@"
      fi
      PATH=$_dv_outer_path
    fi
    cold "$@"
    ;;
  env)
    case $#:${2-} in
      1:) _dv_format=${SHELL##*/} ;;
      2:--shell=*) _dv_format=${2#--shell=} ;;
      3:--shell) _dv_format=$3 ;;
      *) cold "$@" ;;
    esac
    case $#:$_dv_format in
      *:bash | *:zsh | *:fish | [23]:json) ;;
      1:*) _dv_format=bash ;;
      *) cold "$@" ;;
    esac
    load_cache || cold "$@"
    compose_path
    if [ "$_dv_format" = json ]; then
      # The CLI's JSON around PATH, cached. A PATH of letters, digits and the usual punctuation needs no
      # escape in JSON; one with any other character (a quote, a control character) goes to the CLI.
      case $_dv_new_path in *[![:alnum:]/._:@+=,~%\ -]*) cold "$@" ;; esac
      [ -n "$_dv_cache_json_head" ] || cold "$@"
      printf '%s"%s"%s\n' "$_dv_cache_json_head" "$_dv_new_path" "$_dv_cache_json_tail"
    elif [ "$_dv_format" = fish ]; then
      _dv_line='set -gx PATH' _dv_saved_ifs=$IFS IFS=:
      for _dv_dir in $_dv_new_path; do
        replace_all "$_dv_dir" '\' '\\'
        replace_all "$_dv_out" "'" "\\'"
        _dv_line="$_dv_line '$_dv_out'"
      done
      IFS=$_dv_saved_ifs
      printf '%s\n%s\n' "$_dv_line" "$_dv_cache_fish"
    else
      replace_all "$_dv_new_path" "'" "'\\''"
      printf "export PATH='%s'\n%s\n" "$_dv_out" "$_dv_cache_posix"
    fi
    exit 0
    ;;
esac
cold "$@"
