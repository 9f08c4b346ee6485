#!/bin/sh
# GNU tar with gzip, bzip2 and xz: archives with fixed metadata are the
# same bytes on every run, and extract back to the same tree.
set -eu
cd "$WORK"
umask 022

mkdir -p src/docs src/bin src/empty src/deep/a/b/c/d
seq 1 50000 >src/docs/numbers.txt
awk 'BEGIN { for (i = 0; i < 4000; i++) printf "line %d %s\n", i, (i % 7) ? "x" : "yyyyyyyyyyyy" }' >src/docs/lines.txt
printf '#!/bin/sh\necho tool\n' >src/bin/tool
chmod 755 src/bin/tool
chmod 600 src/docs/lines.txt
: >src/emptyfile
echo deep >src/deep/a/b/c/d/file
ln -s docs/numbers.txt src/link
ln src/docs/numbers.txt src/hardlink
head -c 300000 /dev/zero | tr '\0' 'z' >src/zzz
find src -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

fixed="--sort=name --mtime=@$SOURCE_DATE_EPOCH --owner=0 --group=0 --numeric-owner --format=gnu"
echo "== tar listing"
tar $fixed -cf src.tar src
tar -tvf src.tar | awk '{ print $1, $2, $3, $6 }'
md5sum src.tar
echo "== gzip -n, bzip2, xz are reproducible"
gzip -9n <src.tar >src.tar.gz
bzip2 -9 <src.tar >src.tar.bz2
xz -6 <src.tar >src.tar.xz
md5sum src.tar.gz src.tar.bz2 src.tar.xz
gzip -l src.tar.gz | awk 'NR == 2 { print $1, $2 }'
echo "== round trips"
for z in gz bz2 xz; do
	rm -rf x && mkdir x
	tar -xf src.tar.$z -C x
	diff -r src x/src && echo "$z: tree ok"
	find x \( -type f -printf '%P %m %y %s\n' \) -o -printf '%P %m %y\n' | sort | md5sum
done
echo "== streams: tar | gzip | gunzip | tar"
tar $fixed -cf - src | gzip -1 | gunzip | tar -tf - | sort | md5sum
tar $fixed -czf - src/docs | tar -xzOf - src/docs/numbers.txt | tail -n 1
echo "== append, update, extract one member"
cp src.tar upd.tar
echo extra >extra.txt
touch -d "@$SOURCE_DATE_EPOCH" extra.txt
tar $fixed -rf upd.tar extra.txt
tar -tf upd.tar | tail -n 2
tar -xf upd.tar -O extra.txt
echo "== gzip: concatenated members, -t, -d of corrupt data"
echo one | gzip -n >cat.gz
echo two | gzip -n >>cat.gz
gunzip -c cat.gz
gzip -t cat.gz && echo test-ok
head -c 20 src.tar.gz >bad.gz
if gunzip -c bad.gz >/dev/null 2>&1; then echo "corrupt accepted"; else echo "corrupt rejected"; fi
echo "== sparse file"
truncate -s 10M sparse.img
printf 'tail' | dd of=sparse.img bs=1 seek=10485000 conv=notrunc 2>/dev/null
tar $fixed -S -cf sparse.tar sparse.img
rm -rf sx && mkdir sx && tar -xf sparse.tar -C sx
cmp sparse.img sx/sparse.img && echo sparse-ok
stat -c '%s' sx/sparse.img
