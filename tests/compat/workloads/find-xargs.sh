#!/bin/sh
# find, xargs and sort over a generated tree of a few hundred files.
set -eu
cd "$WORK"
umask 022

i=0
for d in alpha beta gamma delta; do
	for s in one two three; do
		mkdir -p "tree/$d/$s/sub"
		for f in 1 2 3 4 5 6 7 8; do
			i=$((i + 1))
			seq 1 $((i * 13 % 97)) >"tree/$d/$s/f$f.txt"
			printf '%s %s %s\n' "$d" "$s" "$f" >"tree/$d/$s/sub/n$f.dat"
		done
	done
done
mkdir -p tree/empty 'tree/with space'
: >tree/empty.txt
echo spaced >'tree/with space/a file.txt'
ln -s alpha/one/f1.txt tree/link1
ln -s missing tree/dangling
chmod 700 tree/beta
chmod 640 tree/gamma/one/f2.txt
touch -d '2020-01-01 00:00:00' tree/alpha/one/f1.txt
touch -d '2021-06-01 00:00:00' stamp
touch -d '2022-01-01 00:00:00' tree/delta/two/f5.txt

echo "== counts"
find tree | wc -l
find tree -type f | wc -l
find tree -type d | wc -l
find tree -type l | sort
echo "== predicates"
find tree -name 'f1*' | sort
find tree -path '*/sub/*' -name 'n8.dat' | sort
find tree -empty | sort
find tree -perm 640 | sort
find tree -maxdepth 1 -printf '%f %y\n' | sort
find tree -type f -size +200c | sort | head -n 5
find tree -type f -newer stamp | sort | md5sum
find tree -type f ! -newer stamp | sort
find -L tree -maxdepth 1 -type f -name 'link*' | sort
find tree -xtype l | sort
echo "== printf and sort"
find tree -type f -printf '%s %P\n' | sort -k1,1n -k2 | tail -n 4
find tree -printf '%d %m %y %P\n' | sort -k4 | md5sum
echo "== xargs"
find tree -name '*.dat' -print0 | sort -z | xargs -0 cat | sort | uniq -c | sort -k1,1nr -k2 | head -n 3
find tree -name '*.txt' -print0 | xargs -0 -n 5 wc -l | grep -v total | sort -k2 | md5sum
find tree -name '*.txt' -print0 | xargs -0 -P 4 -n 3 md5sum | sort -k2 | md5sum
find tree -type f -name '*.txt' -exec cat {} + | wc -l
printf '%s\n' a b c d e f g | xargs -I{} echo 'item {}'
echo "== grep -r"
grep -rl 'gamma' tree | sort
grep -rc '^7$' tree --include='*.txt' | grep -v ':0$' | sort | head -n 3
echo "== sizes (apparent, files only)"
find tree -type f -printf '%s\n' | awk '{ s += $1 } END { print s }'
echo "== rename and delete"
find tree -name '*.dat' -path '*/gamma/*' -exec sh -c 'for f; do mv "$f" "${f%.dat}.bak"; done' sh {} +
find tree -name '*.bak' | wc -l
find tree -depth -name sub -path '*/delta/*' -exec rm -r {} \;
find tree -path '*/delta/*' | sort | head -n 4
find tree -name '*.bak' -delete
find tree -name '*.bak' | wc -l
