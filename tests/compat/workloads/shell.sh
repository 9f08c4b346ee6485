#!/bin/sh
# The shells themselves (dash as /bin/sh, then bash): pipelines, exit
# statuses, subshells, traps and signals, job control without a terminal,
# redirections and here-documents.
set -u
cd "$WORK"

# Each step gets its own 10 s limit, so one that hangs is reported in the
# output and the rest still run.
t() {
	timeout -k 2 10 "$@"
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		printf "[timed out: %.50s]\n" "$3"
	fi
	return $rc
}

echo "== dash: statuses and pipelines"
t sh -c 'false | true; echo "pipe $?"; true | false; echo "pipe $?"'
t sh -c 'exit 7'; echo "exit $?"
t sh -c 'kill -TERM $$'; echo "self-TERM $?"
t sh -c '(exit 3) || echo "or $?"; ! true; echo "not $?"'
echo "== dash: subshells, functions, variables"
t sh -c 'x=1; (x=2; echo "in $x"); echo "out $x"'
t sh -c 'f() { local v=inner; echo "$v $#: $*"; }; v=outer; f a b c; echo $v'
t sh -c 'set -- a "b c" d; for i in "$@"; do printf "[%s]" "$i"; done; echo'
t sh -c 'x=abcdef; echo ${#x} ${x#ab} ${x%ef} ${y:-dflt} $((3 * 4 + 2))'
echo "== dash: redirections and here-documents"
t sh -c 'exec 3>f3; echo to3 >&3; exec 3>&-; cat f3'
t sh -c 'echo err 1>&2' 2>&1
t sh -c 'cat <<E
here $((1 + 1))
E
cat <<"E"
literal $HOME
E'
t sh -c 'echo a >f; echo b >>f; wc -l <f; set -C; (echo c >f) 2>/dev/null || echo noclobber'
t sh -c 'while read a b; do echo "$b-$a"; done <<E
1 one
2 two
E'
echo "== dash: traps and background jobs"
t sh -c 'trap "echo exit trap" EXIT; trap "echo got USR1" USR1; kill -USR1 $$; echo after'
t sh -c 'sleep 10 & p=$!; kill $p; wait $p; echo "wait $?"'
t sh -c '(sleep 0.2; exit 5) & (exit 6) & wait %1 2>/dev/null; wait $!; echo "last $?"'
t sh -c 'for i in 1 2 3 4; do (echo job $i) & done; wait' | sort
t sh -c 'trap "echo TERM caught; exit 0" TERM; (sleep 0.3; kill -TERM $$) & while :; do sleep 0.1; done'
echo "== bash"
t bash -c 'set -o pipefail; false | true; echo "pipefail $?"'
t bash -c 'a=(x y z); a+=(w); echo ${#a[@]} ${a[2]} "${a[*]}"; declare -A m=([k]=v); echo ${m[k]}'
t bash -c 'diff <(seq 1 3) <(seq 1 3) && echo procsub-same'
t bash -c 'mapfile -t l < <(printf "a\nb\n"); echo ${#l[@]} ${l[1]}'
t bash -c 'coproc cat; echo ping >&${COPROC[1]}; read -r r <&${COPROC[0]}; echo "coproc $r"; exec {COPROC[1]}>&-; wait'
t bash -c 'x=$(echo sub; exit 4); echo "$x $?"; [[ abc == a* ]] && echo glob-match'
t bash -c 'printf "%05.1f|%-4s|%x\n" 3.14159 ab 255; echo $((2 ** 20)) $((7 / 2)) $((-7 % 3))'
t bash -c 'shopt -s nullglob; set -- nothing*; echo "$# matches"'
t bash -c 'time_out() { read -t 0.2 x; echo "read status $?"; }; sleep 1 | time_out'
t bash -c 'ulimit -n 64; ulimit -n'
t bash -c 'echo $BASH_SUBSHELL; (echo $BASH_SUBSHELL)'
echo "== exec, command -v, umask"
t sh -c 'exec echo exec-replaced; echo not-reached'
t sh -c 'command -v sh cat | sed "s:.*/::"'
t sh -c 'umask 027; : >u; stat -c %a u'
