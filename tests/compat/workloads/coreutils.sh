#!/bin/sh
# GNU coreutils pipelines over generated text: sort, uniq, join, split,
# checksums, and the usual filters (tr, cut, paste, sed, awk).
set -eu
cd "$WORK"

seq 1 2000 | awk '{ printf "%05d %s %d\n", ($1 * 7919) % 10007, substr("abcdefghij", $1 % 10 + 1, 3), $1 % 13 }' >data.txt
echo "== wc"
wc -l <data.txt
wc -c <data.txt
echo "== sort -n | head / tail"
sort -n data.txt | head -n 3
sort -n data.txt | tail -n 3
echo "== sort -k2,2 -k3,3n -s | uniq -c over fields"
cut -d' ' -f2,3 data.txt | sort -k1,1 -k2,2n | uniq -c | sort -k1,1nr -k2 | head -n 5
echo "== sort -u | wc, sort -r, sort -c"
cut -d' ' -f3 data.txt | sort -nu | tr '\n' ' '; echo
sort -rn data.txt | head -n 2
sort data.txt >sorted.txt && sort -c sorted.txt && echo sorted
echo "== tr, rev-like sed, cut -c"
head -n 5 data.txt | tr 'a-j' 'A-J' | tr -s ' ' | cut -c1-9
head -n 3 data.txt | sed -e 's/\([0-9]*\) \([a-j]*\)/\2:\1/' -e 'y/abc/xyz/'
echo "== paste, join, comm"
seq 1 5 >a.txt
seq 3 8 >b.txt
paste a.txt b.txt | head -n 5
paste -sd, a.txt
printf '1 one\n2 two\n3 three\n' >j1.txt
printf '1 uno\n3 tres\n4 cuatro\n' >j2.txt
join j1.txt j2.txt
join -v2 j1.txt j2.txt
comm -12 a.txt b.txt | tr '\n' ' '; echo
echo "== split and cat back"
split -l 300 -d data.txt part.
ls part.* | tr '\n' ' '; echo
cat part.* | cmp - data.txt && echo split-ok
echo "== checksums"
md5sum data.txt
sha256sum data.txt sorted.txt
cksum data.txt
sha1sum <data.txt
echo "== od, head -c, tail -c, base64"
head -c 16 data.txt | od -An -tx1
tail -c 20 data.txt | base64
head -c 3000 data.txt >h.bin
base64 h.bin >h.b64
base64 -d h.b64 | cmp - h.bin && echo base64-roundtrip-ok
md5sum h.b64
echo "== nl, fold, expand, fmt"
head -n 3 data.txt | nl -ba
printf 'a\tb\tc\n' | expand -t 4
seq -s ' ' 1 40 | fold -w 30
echo "== tee, yes | head, seq formats"
yes abc | head -n 3 | tee tee.txt | wc -l
cat tee.txt
seq -w 8 11 | tr '\n' ' '; echo
seq 0 0.25 1 | tr '\n' ' '; echo
echo "== printf, expr, factor, numfmt"
printf '%s=%d %x %o %5.2f\n' x 42 255 8 3.14159
expr 6 \* 7
factor 360 9973 123456
numfmt --to=iec 1048576 123456789
echo "== dd, truncate, stat sizes"
dd if=/dev/zero of=zeros bs=4096 count=8 2>/dev/null
truncate -s 100000 sparse
stat -c '%n %s %F' zeros sparse data.txt
cmp -s zeros /dev/null || echo zeros-differ-from-null
echo "== ln, readlink, realpath (relative)"
mkdir -p d1/d2
ln -s ../data.txt d1/link
readlink d1/link
ln data.txt hard.txt
stat -c '%h' data.txt
realpath --relative-to="$WORK" d1/link
echo "== large sort (spills to TMPDIR)"
seq 1 200000 | awk '{ print ($1 * 48271) % 2147483647 }' | sort -S 1M -n | md5sum
echo done
