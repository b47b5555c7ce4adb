CREATE TABLE "a
b"(x, "c
d" INT, e);CREATE TABLE "gone
--"(y);
----
CREATE TABLE "a
b"(x, e NOT NULL DEFAULT 0, f);
