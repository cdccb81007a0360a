#!/bin/sh
# devenv launcher, generated from cli/launcher.sh by scripts/build.mjs.
#
# Hot path: `devenv run [--] CMD...` and `devenv env [--shell bash|zsh|fish]`
# in a project whose cached environment (in DEVENV_HOME) is still valid are
# answered here with shell built-ins and `cmp`: no Node.js.
# Everything else, and any doubt, goes to the Node.js CLI, which refreshes the cache.
build_id='@BUILD_ID@'
node_bin='@NODE@'
dist='@DIST@'
platform='@PLATFORM@'
nl='
'
set -f

cold() {
  if [ ! -f "$dist/bundle/main.js" ]; then
    # Installed somewhere other than where it was built: dist/ is beside bin/.
    self=$0
    while [ -L "$self" ]; do
      link=$(readlink "$self")
      case $link in /*) self=$link ;; *) self=${self%/*}/$link ;; esac
    done
    dist=${self%/*}/../dist
  fi
  # devenv runs on the Node.js it was built with, never on a project's pinned node:
  # failing that, the first node on PATH that is not in a devenv store.
  if [ ! -x "$node_bin" ]; then
    devenv_home || home=/nonexistent
    saved_ifs=$IFS IFS=:
    for dir in $PATH; do
      case $dir in "$home"/store/*) continue ;; esac
      [ -x "$dir/node" ] && { node_bin=$dir/node; break; }
    done
    IFS=$saved_ifs
  fi
  exec "$node_bin" "$dist/bundle/main.js" "$@"
}

# home: DEVENV_HOME as the CLI computes it (SPEC §4); false if it is relative.
devenv_home() {
  case ${DEVENV_HOME-} in
    /*) home=$DEVENV_HOME ;;
    '')
      case ${XDG_CACHE_HOME-} in
        /*) home=$XDG_CACHE_HOME/devenv ;;
        '') if [ "$platform" = darwin ]; then home=$HOME/Library/Caches/devenv; else home=$HOME/.cache/devenv; fi ;;
        *) return 1 ;;
      esac
      ;;
    *) return 1 ;;
  esac
}

# True when CI or DEVENV_TRUST is set to anything but empty, 0 or false (as the CLI reads them).
trusted_by_env() {
  for value in "${CI-}" "${DEVENV_TRUST-}"; do
    case $value in '' | 0 | [Ff][Aa][Ll][Ss][Ee]) ;; *) return 0 ;; esac
  done
  return 1
}

# Loads the cache of the project around $PWD into cache_* variables; false if there is none or it is stale.
# The cache lives in DEVENV_HOME under the project's real path (store/layout.ts, projectState): no
# repository can ship one. Every file devenv.ts's evaluation read, and devenv.lock, must be byte for
# byte the copies kept beside it: `cmp` is the one process the hot path starts, and it reads a file of
# any size at once, where a shell loop reading it line by line would crawl.
load_cache() {
  # The physical path, as the Node.js CLI sees it (process.cwd()): one project, however it is reached.
  dir=$(pwd -P) || return 1
  [ "$dir" = / ] && dir=
  while [ ! -f "$dir/devenv.ts" ]; do
    [ -n "$dir" ] || return 1
    dir=${dir%/*}
  done
  root=${dir:-/}
  devenv_home || return 1
  state=$home/projects${dir}/=
  [ -f "$state/env.sh" ] && [ -O "$state/env.sh" ] || return 1
  . "$state/env.sh"
  [ "$cache_build" = "$build_id" ] || return 1
  [ "$cache_root" = "$root" ] || return 1
  # Written while CI or DEVENV_TRUST vouched for devenv.ts: good only while one of them still does.
  [ "$cache_trust" = record ] || trusted_by_env || return 1
  cmp -s "$root/devenv.lock" "$state/lock.$cache_gen" || return 1
  n=0 saved_ifs=$IFS IFS=$nl
  for input in $cache_inputs; do
    n=$((n + 1))
    cmp -s "$input" "$state/input.$cache_gen.$n" || { IFS=$saved_ifs; return 1; }
  done
  for entry in $cache_entries; do
    [ -d "$entry" ] || { IFS=$saved_ifs; return 1; }
  done
  IFS=$saved_ifs
}

# new_path: devenv's directories, then $PATH without store directories and duplicates.
compose_path() {
  new_path=$cache_dirs
  saved_ifs=$IFS IFS=:
  for dir in $PATH; do
    case $dir in '' | "$cache_store"*) continue ;; esac
    case :$new_path: in *:"$dir":*) continue ;; esac
    new_path=${new_path:+$new_path:}$dir
  done
  IFS=$saved_ifs
}

# out: $1 with every $2 replaced by $3.
replace_all() {
  out= rest=$1
  while :; do
    case $rest in
      *"$2"*) out=$out${rest%%"$2"*}$3 rest=${rest#*"$2"} ;;
      *) out=$out$rest; return ;;
    esac
  done
}

case $1 in
  run)
    case $2 in
      -- ) [ -n "${3-}" ] || cold "$@"; cmd=$3 ;;
      '' | -*) cold "$@" ;;
      *) cmd=$2 ;;
    esac
    if load_cache; then
      compose_path
      outer_path=$PATH PATH=$new_path
      if command -v "$cmd" > /dev/null 2>&1; then
        export PATH
        eval "$cache_posix"
        shift
        [ "$1" = -- ] && shift
        exec "$@"
      fi
      PATH=$outer_path
    fi
    cold "$@"
    ;;
  env)
    case $#:${2-} in
      1:) format=${SHELL##*/} ;;
      2:--shell=*) format=${2#--shell=} ;;
      3:--shell) format=$3 ;;
      *) cold "$@" ;;
    esac
    case $format in
      bash | zsh | fish) ;;
      *) [ $# = 1 ] || cold "$@"; format=bash ;;
    esac
    load_cache || cold "$@"
    compose_path
    if [ "$format" = fish ]; then
      line='set -gx PATH' saved_ifs=$IFS IFS=:
      for dir in $new_path; do
        replace_all "$dir" '\' '\\'
        replace_all "$out" "'" "\\'"
        line="$line '$out'"
      done
      IFS=$saved_ifs
      printf '%s\n%s\n' "$line" "$cache_fish"
    else
      replace_all "$new_path" "'" "'\\''"
      printf "export PATH='%s'\n%s\n" "$out" "$cache_posix"
    fi
    exit 0
    ;;
esac
cold "$@"
