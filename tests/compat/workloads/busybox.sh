#!/bin/sh
# The same kind of pipelines through busybox's applets (one static binary,
# so no dynamic loader): text filters, archives, find/xargs, its own sh.
set -eu
cd "$WORK"
bb=busybox
umask 022

$bb seq 1 3000 | $bb awk '{ printf "%04d %s\n", ($1 * 37) % 1009, ($1 % 2) ? "odd" : "even" }' >nums.txt
echo "== wc, sort, uniq"
$bb wc -l nums.txt
$bb sort -n nums.txt | $bb head -n 3
$bb sort -k2,2 -k1,1n nums.txt | $bb tail -n 2
$bb cut -d' ' -f2 nums.txt | $bb sort | $bb uniq -c
$bb sort -u -n nums.txt | $bb wc -l
echo "== sed, tr, grep"
$bb sed -n '10,12p' nums.txt | $bb tr 'a-z' 'A-Z'
$bb grep -c '^00' nums.txt
$bb grep -E '^(1000|0999) ' nums.txt | $bb sort | $bb uniq
$bb sed 's/ .*//' nums.txt | $bb sort -n | $bb uniq -d | $bb wc -l
echo "== checksums, od, hexdump"
$bb md5sum nums.txt
$bb sha1sum nums.txt
$bb sha256sum nums.txt
$bb head -c 12 nums.txt | $bb od -An -c
$bb printf 'busybox\n' | $bb hexdump -C
echo "== gzip, bzip2, tar round trip"
$bb mkdir -p tree/a/b tree/c
$bb cp nums.txt tree/a/b/
$bb seq 1 100 >tree/c/hundred
$bb echo hello >tree/hello
$bb ln -s ../hello tree/c/link
$bb gzip -c nums.txt >nums.gz
$bb gzip -t nums.gz && echo gzip-ok
$bb zcat nums.gz | $bb cmp - nums.txt && echo zcat-ok
$bb bzip2 -c nums.txt | $bb bunzip2 -c | $bb md5sum
$bb tar -cf tree.tar tree
$bb tar -tf tree.tar | $bb sort
$bb mkdir out
$bb tar -xf tree.tar -C out
$bb diff -r tree out/tree && echo tar-roundtrip-ok
$bb readlink out/tree/c/link
$bb tar -czf - tree | $bb tar -xzf - -O tree/c/hundred | $bb tail -n 1
echo "== find, xargs"
$bb find tree -type f | $bb sort
$bb find tree -type l
$bb find tree -name '*.txt' -exec $bb wc -l {} \;
$bb find tree -type f -print0 | $bb xargs -0 $bb cat | $bb wc -c
$bb seq 1 10 | $bb xargs -n 3 echo
echo "== busybox sh"
$bb sh -c 'i=0; while [ $i -lt 5 ]; do i=$((i + 1)); printf "%s " $i; done; echo'
$bb sh -c 'f() { return 3; }; f; echo "status $?"; (exit 4); echo "subshell $?"'
$bb sh -c 'echo pipe | (read x; echo "read $x")'
$bb sh -c 'trap "echo trapped" EXIT; echo body'
$bb sh -c 'sleep 5 & kill $!; wait $!; echo "killed child: $?"'
echo "== misc"
$bb expr 7 \* 6
$bb basename /a/b/c.txt .txt
$bb dirname /a/b/c.txt
$bb echo 'a:b:c' | $bb awk -F: '{ print $3 $2 $1 }'
$bb stat -c '%s %F' nums.txt nums.gz
$bb rm -r out tree
$bb ls
