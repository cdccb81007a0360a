import { quoteFish } from "./fish.js";
import { quotePosix } from "./posix.js";

/**
 * `devenv hook bash|zsh|fish`: a prompt hook that loads a project's environment when
 * the shell enters it and puts back what it changed when it leaves (as `mise activate`
 * does). Before each prompt inside a project it asks `devenv env`, which the launcher
 * answers without Node.js while nothing changed; outside any project (found by walking
 * up from $PWD with shell built-ins) it starts nothing at all.
 *
 * What the shell had before is saved per variable the environment sets, and restored
 * exactly (PATH byte for byte) on leaving, or before loading another project, so one
 * project's directories never leak into the next. stdin is /dev/null: entering an
 * untrusted project never prompts; devenv says once what to do, and the hook retries
 * quietly at each prompt until `devenv trust` has made it load.
 */
export function activationHook(shell: "bash" | "zsh" | "fish", devenv: string): string {
  return shell === "fish" ? fishHook(devenv) : posixHook(shell, devenv);
}

function posixHook(shell: "bash" | "zsh", devenv: string): string {
  const install =
    shell === "bash"
      ? `case ";\${PROMPT_COMMAND-};" in *";_devenv_hook;"*) ;; *) PROMPT_COMMAND="_devenv_hook\${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;; esac`
      : "autoload -Uz add-zsh-hook && add-zsh-hook precmd _devenv_hook";
  return `# devenv: load a project's environment on cd. In ~/.${shell}rc: eval "$(devenv hook ${shell})"
_devenv_bin=${quotePosix(devenv)}
[ -x "$_devenv_bin" ] || _devenv_bin=devenv
_devenv_root() {
  local dir=$PWD
  [ "$dir" = / ] && dir=
  while :; do
    if [ -f "$dir/devenv.ts" ]; then _devenv_found=\${dir:-/}; return 0; fi
    [ -n "$dir" ] || return 1
    dir=\${dir%/*}
  done
}
_devenv_restore() {
  eval "\${_devenv_saved-}"
  _devenv_saved= _devenv_loaded= _devenv_loaded_root=
}
_devenv_hook() {
  local _devenv_status=$? out name value _devenv_found=
  if ! _devenv_root; then
    [ -z "\${_devenv_loaded_root-}" ] || _devenv_restore
    _devenv_failed=
    return $_devenv_status
  fi
  # Another project: what the last one set goes first, so devenv env starts from the shell's own PATH.
  [ "$_devenv_found" = "\${_devenv_loaded_root-}" ] || [ -z "\${_devenv_loaded_root-}" ] || _devenv_restore
  # DEVENV_LOADING: loading never writes devenv.lock; a stale one is said (once a change) and nothing stays loaded.
  if [ "$_devenv_found" = "\${_devenv_failed-}" ]; then
    out=$(DEVENV_LOADING=1 "$_devenv_bin" env --shell ${shell} < /dev/null 2> /dev/null) || { [ -z "\${_devenv_loaded_root-}" ] || _devenv_restore; return $_devenv_status; }
  else
    out=$(DEVENV_LOADING=1 "$_devenv_bin" env --shell ${shell} < /dev/null) || { [ -z "\${_devenv_loaded_root-}" ] || _devenv_restore; _devenv_failed=$_devenv_found; return $_devenv_status; }
  fi
  _devenv_failed=
  [ "$out" = "\${_devenv_loaded-}" ] && return $_devenv_status
  if [ -n "\${_devenv_loaded_root-}" ]; then
    # devenv.ts or the lock changed: start again from the shell's own variables.
    _devenv_restore
    out=$(DEVENV_LOADING=1 "$_devenv_bin" env --shell ${shell} < /dev/null) || { _devenv_failed=$_devenv_found; return $_devenv_status; }
  fi
  _devenv_saved=
  for name in $(printf '%s\\n' "$out" | sed -n 's/^export \\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p'); do
    if eval "[ -n \\"\\\${$name+set}\\" ]"; then
      eval "value=\\\${$name}"
      _devenv_saved="$_devenv_saved$(printf 'export %s=%q' "$name" "$value")
"
    else
      _devenv_saved="\${_devenv_saved}unset $name
"
    fi
  done
  eval "$out"
  _devenv_loaded=$out _devenv_loaded_root=$_devenv_found
  return $_devenv_status
}
${install}
`;
}

function fishHook(devenv: string): string {
  return `# devenv: load a project's environment on cd. In ~/.config/fish/config.fish: devenv hook fish | source
set -g __devenv_bin ${quoteFish(devenv)}
test -x "$__devenv_bin"; or set -g __devenv_bin devenv
function __devenv_root
  set -l dir $PWD
  test "$dir" = /; and set dir ''
  while true
    if test -f "$dir/devenv.ts"
      test -n "$dir"; and echo $dir; or echo /
      return 0
    end
    test -n "$dir"; or return 1
    set dir (string replace -r '/[^/]*$' '' -- $dir)
  end
end
function __devenv_restore
  for name in $__devenv_names
    if contains -- $name $__devenv_unset
      set -eg $name
    else
      set -l old __devenv_old_$name
      set -gx $name $$old
      set -eg $old
    end
  end
  set -eg __devenv_names __devenv_unset __devenv_loaded __devenv_loaded_root
end
function __devenv_hook --on-event fish_prompt
  set -l root (__devenv_root)
  if test -z "$root"
    set -q __devenv_loaded_root; and __devenv_restore
    set -eg __devenv_failed
    return
  end
  if set -q __devenv_loaded_root; and test "$root" != "$__devenv_loaded_root"
    __devenv_restore
  end
  set -l out
  if test "$root" = "$__devenv_failed"
    set out (DEVENV_LOADING=1 $__devenv_bin env --shell fish < /dev/null 2> /dev/null); or begin; set -q __devenv_loaded_root; and __devenv_restore; return; end
  else
    set out (DEVENV_LOADING=1 $__devenv_bin env --shell fish < /dev/null); or begin; set -q __devenv_loaded_root; and __devenv_restore; set -g __devenv_failed $root; return; end
  end
  set -eg __devenv_failed
  set -l text (string join \\n -- $out)
  test "$text" = "$__devenv_loaded"; and return
  if set -q __devenv_loaded_root
    __devenv_restore
    set out (DEVENV_LOADING=1 $__devenv_bin env --shell fish < /dev/null); or begin; set -g __devenv_failed $root; return; end
    set text (string join \\n -- $out)
  end
  set -g __devenv_names (string match -rg '^set -gx (\\S+)' -- $out)
  set -g __devenv_unset
  for name in $__devenv_names
    if set -q $name
      set -g __devenv_old_$name $$name
    else
      set -a __devenv_unset $name
    end
  end
  string join \\n -- $out | source
  set -g __devenv_loaded $text
  set -g __devenv_loaded_root $root
end
`;
}
