#!/bin/sh
# sqlite3 (the CLI, then Python's module): tables, indexes, joins,
# transactions, rollback journal and WAL mode (shared memory through mmap),
# vacuum and backup.
set -eu
cd "$WORK"

sqlite3 test.db <<'SQL'
CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city_id INTEGER);
CREATE TABLE city(id INTEGER PRIMARY KEY, name TEXT UNIQUE);
INSERT INTO city(name) VALUES ('Oslo'), ('Lima'), ('Pune'), ('Kyiv');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO person(name, city_id) SELECT 'p' || i, 1 + (i * 7) % 4 FROM n;
CREATE INDEX person_city ON person(city_id);
SQL
echo "== queries"
sqlite3 test.db 'SELECT count(*), sum(id), max(name) FROM person;'
sqlite3 -header -column test.db 'SELECT c.name, count(*) AS n FROM person p JOIN city c ON c.id = p.city_id GROUP BY c.name ORDER BY n DESC, c.name;'
sqlite3 test.db "SELECT group_concat(name, ',') FROM (SELECT name FROM person WHERE id % 4000 = 0 ORDER BY id);"
sqlite3 test.db 'EXPLAIN QUERY PLAN SELECT * FROM person WHERE city_id = 2;' | sed 's/^[0-9 |]*//'
echo "== transactions"
sqlite3 test.db 'BEGIN; DELETE FROM person WHERE id > 100; ROLLBACK; SELECT count(*) FROM person;'
sqlite3 test.db 'BEGIN; UPDATE person SET name = upper(name) WHERE id <= 3; COMMIT; SELECT name FROM person WHERE id <= 4;'
if sqlite3 test.db "INSERT INTO city(name) VALUES ('Oslo');" 2>/dev/null; then echo "duplicate accepted"; else echo "unique constraint held"; fi
echo "== WAL mode"
sqlite3 test.db 'PRAGMA journal_mode=WAL;'
sqlite3 test.db "INSERT INTO city(name) VALUES ('Rome'); SELECT count(*) FROM city;"
sqlite3 test.db 'PRAGMA wal_checkpoint(TRUNCATE);' | cut -d'|' -f1
sqlite3 test.db 'PRAGMA journal_mode=DELETE;'
echo "== integrity, vacuum, dump, backup"
sqlite3 test.db 'PRAGMA integrity_check;'
sqlite3 test.db 'DELETE FROM person WHERE id % 2 = 0; VACUUM; SELECT count(*) FROM person;'
sqlite3 test.db .dump | md5sum
sqlite3 test.db ".backup copy.db"
sqlite3 copy.db 'SELECT count(*) FROM person; PRAGMA integrity_check;'
sqlite3 test.db "ATTACH 'copy.db' AS c; SELECT count(*) FROM person p JOIN c.person q USING (id);"
echo "== python3 sqlite3"
python3 - <<'PY'
import sqlite3, threading
con = sqlite3.connect("py.db")
con.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)")
with con:
    con.executemany("INSERT INTO t(v) VALUES (?)", ((bytes([i % 256]) * (i % 1000),) for i in range(5000)))
print(con.execute("SELECT count(*), sum(length(v)) FROM t").fetchone())
def reader(out):
    c = sqlite3.connect("py.db")
    out.append(c.execute("SELECT max(k) FROM t").fetchone()[0])
    c.close()
res = []
ts = [threading.Thread(target=reader, args=(res,)) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(res))
mem = sqlite3.connect(":memory:")
con.backup(mem)
print(mem.execute("SELECT count(*) FROM t").fetchone()[0])
print(con.execute("PRAGMA integrity_check").fetchone()[0])
PY
