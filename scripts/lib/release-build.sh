# Sourced by the benchmark scripts: builds the release `dqmon` the way it is meant to ship, and sets DQMON_RELEASE_BIN.
#
# The Swift runtime and Foundation are linked statically (`--static-swift-stdlib`): a dynamically linked dqmon
# spends 15-20 ms of every command in the dynamic loader relocating libswiftCore and Foundation, which is most of
# `dqmon --version` and a fifth of `dqmon sla`. Static Foundation links against libcurl by name (`-lcurl`); when
# only the runtime library (libcurl.so.4) is installed and not its development link, a private link folder under
# .build/ supplies one.
release_build() {
    local root flags=(-c release --product dqmon --static-swift-stdlib)
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    if ! ldconfig -p 2>/dev/null | grep -q 'libcurl\.so '; then
        local runtime
        runtime=$(ldconfig -p 2>/dev/null | awk '/libcurl\.so\.4 / { print $NF; exit }')
        if [[ -n "$runtime" ]]; then
            mkdir -p "$root/.build/curl-link"
            ln -sf "$runtime" "$root/.build/curl-link/libcurl.so"
            flags+=(-Xlinker "-L$root/.build/curl-link")
        fi
    fi
    # A failed build must stop the caller: an old binary, or none, would be measured as if it were this commit's.
    (cd "$root" && swift build "${flags[@]}" >&2) || { echo "release build failed" >&2; return 1; }
    DQMON_RELEASE_BIN="$(cd "$root" && swift build "${flags[@]}" --show-bin-path)/dqmon"
}
