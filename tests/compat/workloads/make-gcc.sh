#!/bin/sh
# make builds a small C project with gcc (compiler, assembler and linker
# are separate processes), rebuilds what changed, and runs the result.
set -eu
cd "$WORK"
mkdir -p proj/src proj/include
cd proj

cat >include/calc.h <<'X'
#ifndef CALC_H
#define CALC_H
long fib(int n);
unsigned crc(const char *s);
int sort_words(char **w, int n);
#define GREETING "calc"
#endif
X
cat >src/fib.c <<'X'
#include "calc.h"
long fib(int n) { long a = 0, b = 1; while (n-- > 0) { long t = a + b; a = b; b = t; } return a; }
X
cat >src/crc.c <<'X'
#include "calc.h"
unsigned crc(const char *s)
{
	unsigned c = 0xffffffffu;
	for (; *s; s++) {
		c ^= (unsigned char)*s;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}
X
cat >src/words.c <<'X'
#include <stdlib.h>
#include <string.h>
#include "calc.h"
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
int sort_words(char **w, int n) { qsort(w, n, sizeof(*w), cmp); return n; }
X
cat >src/main.c <<'X'
#include <stdio.h>
#include <pthread.h>
#include "calc.h"
static long results[4];
static void *work(void *arg) { long i = (long)arg; results[i] = fib(20 + (int)i * 10); return NULL; }
int main(int argc, char **argv)
{
	pthread_t t[4];
	for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, work, (void *)i);
	for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
	printf("%s: fib %ld %ld %ld %ld\n", GREETING, results[0], results[1], results[2], results[3]);
	printf("crc(hello) = %08x\n", crc("hello"));
	sort_words(argv + 1, argc - 1);
	for (int i = 1; i < argc; i++) printf("%s%s", argv[i], i + 1 < argc ? " " : "\n");
	return 0;
}
X
cat >Makefile <<'X'
CC = gcc
CFLAGS = -O2 -Wall -Wextra -Iinclude
OBJS = build/fib.o build/crc.o build/words.o
all: calc calc-static
build:
	mkdir -p build
build/%.o: src/%.c include/calc.h | build
	$(CC) $(CFLAGS) -c -o $@ $<
build/libcalc.a: $(OBJS)
	ar rcs $@ $^
calc: build/main.o build/libcalc.a
	$(CC) -o $@ build/main.o -Lbuild -lcalc -pthread
calc-static: build/main.o build/libcalc.a
	$(CC) -static -o $@ build/main.o -Lbuild -lcalc -pthread
check: calc calc-static
	./calc pear apple fig > out1.txt
	./calc-static pear apple fig > out2.txt
	cmp out1.txt out2.txt
	@echo check passed
clean:
	rm -rf build calc calc-static out1.txt out2.txt
.PHONY: all check clean
X

echo "== make -j2 (commands sorted: their order varies)"
make -j2 2>&1 | sort
echo "== run"
./calc zebra mango apple
./calc-static b a
make -s check
echo "== nothing to do"
make
make -q && echo "up to date"
echo "== an out-of-date object is rebuilt, and what depends on it"
touch -d '2000-01-01 00:00:00' build/crc.o
make -n | sed 's/ -O2 -Wall -Wextra//'
make -s
./calc x
echo "== header change rebuilds everything"
sed -i 's/"calc"/"calc2"/' include/calc.h
make -j2 -s
./calc
echo "== symbols and sections"
nm build/libcalc.a | awk 'NF == 3 && $2 == "T" { print $3 }' | sort
nm -D calc | awk '$2 == "U" { print $3 }' | sed 's/@.*//' | sort -u | tr '\n' ' '; echo
readelf -h calc-static | awk '$1 == "Type:" { print $2 }'
readelf -l calc | grep -c 'program interpreter'
readelf -l calc-static | grep -c 'program interpreter' || true
echo "== make errors"
if make nonexistent-target >err.txt 2>&1; then echo "unexpected success"; else echo "make failed: $?"; fi
sed 's/.*\*\*\* //' err.txt
printf 'int main(void) { return undefined_symbol(); }\n' >bad.c
if gcc -o bad bad.c >/dev/null 2>&1; then echo "link succeeded?"; else echo "link failed as it should"; fi
make -s clean
ls
