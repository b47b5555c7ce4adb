CREATE TABLE "we ird"("a b" INT, [c"d] TEXT);CREATE TABLE old(x);
----
CREATE TABLE "we ird"("a b" INT, [c"d] TEXT NOT NULL DEFAULT 'q''s');CREATE TABLE "select"("order" INT PRIMARY KEY) WITHOUT ROWID;