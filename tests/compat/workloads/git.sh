#!/bin/sh
# git: init, add, commit, branch, merge, tag, log, diff, gc and fsck on a
# fresh repository. Fixed names and dates make every hash reproducible.
set -eu
cd "$WORK"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$WORK/gitconfig"
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL="committer@example.com"
export GIT_AUTHOR_DATE="2023-11-14T22:13:20Z" GIT_COMMITTER_DATE="2023-11-14T22:13:20Z"
export GIT_PAGER=cat PAGER=cat
git config --global init.defaultBranch main
git config --global advice.detachedHead false
git config --global gc.auto 0
umask 022

tick() {
	n=$1
	GIT_AUTHOR_DATE="2023-11-14T22:$n:00Z"
	GIT_COMMITTER_DATE="$GIT_AUTHOR_DATE"
}

git init -q repo
cd repo
echo "== first commits"
seq 1 100 >numbers.txt
printf 'hello\nworld\n' >README
mkdir -p src/lib
echo 'int x;' >src/lib/x.c
git add .
tick 20
git commit -q -m "initial commit"
git rev-parse HEAD
sed -i 's/^50$/fifty/' numbers.txt
echo 'int y;' >src/lib/y.c
git add -A
tick 21
git commit -q -m "fifty, and y"
git log --format='%H %an <%ae> %ad %s' --date=iso-strict
echo "== status and diff"
echo 'more' >>README
echo 'new' >untracked.txt
git status --porcelain
git diff --stat
git diff | md5sum
git stash -q
git status --porcelain
git stash pop -q
git checkout -q -- README
rm untracked.txt
echo "== branch, merge, conflict"
git checkout -q -b feature
seq 200 210 >>numbers.txt
tick 22
git commit -q -am "feature: more numbers"
git checkout -q main
printf 'hello\nthere\n' >README
tick 23
git commit -q -am "README: there"
tick 24
git merge -q --no-edit feature
git log --graph --oneline --all
git show --stat --format='%s' HEAD | head -n 5
git checkout -q -b conflict HEAD~1
echo 'conflicting' >README
tick 25
git commit -q -am "conflict"
if git merge -q feature~0 main >/dev/null 2>&1; then echo "merged"; else echo "merge conflict"; git diff --name-only --diff-filter=U; git merge --abort; fi
git checkout -q main
echo "== tags, describe, blame, rev-list"
tick 26
git tag -a v1.0 -m "version 1.0"
git describe
git cat-file -p v1.0
git blame --porcelain README | grep -E '^[0-9a-f]{40}' | cut -c1-12 | sort -u
git rev-list --count HEAD
git ls-tree -r HEAD
echo "== archive, gc, fsck"
git archive --format=tar --prefix=p/ HEAD | tar -tf - | sort
git archive --format=tar HEAD | md5sum
git count-objects | awk '{ print $1 > "/dev/null" } END { print "counted" }'
git gc -q
git count-objects -v | grep -E '^(count|in-pack|packs):'
git fsck --strict 2>&1 && echo fsck-ok
git verify-pack -v .git/objects/pack/*.idx | grep -c -E '^[0-9a-f]{40} (blob|tree|commit|tag)'
echo "== clone"
cd ..
git clone -q repo clone
cd clone
git log --oneline | wc -l
git rev-parse HEAD origin/main
