-- The pets walkthrough (seed 1) in the sqlite3 shell; `make demo` runs it.
-- From a scratch directory that holds a copy of sql/:
--
--   sqlite3 -bail -cmd '.load /path/to/libmig' app.db < sql/pets/walkthrough.sql
--
-- Revision scripts go to ./migrations (mig_config('script_location')).
.bail on
.mode line

.print '== 1. models v1: user and pet (sql/pets/v1.sql)'
SELECT mig_models('models', readfile('sql/pets/v1.sql')) AS objects;

.print
.print '== 2. autogenerate the first revision'
SELECT mig_autogenerate('models', 'initial') AS revision;
SELECT file FROM migrations;

.print
.print '== 3. upgrade to head'
SELECT mig_upgrade('head') AS current;
SELECT group_concat(name, ', ') AS tables FROM sqlite_master
 WHERE type='table' AND name NOT LIKE '\_libmig%' ESCAPE '\';

.print
.print '== 4. some users and pets'
INSERT INTO user(id, name) VALUES (1, 'ann'), (2, 'bob');
INSERT INTO pet(id, name) VALUES (1, 'rex'), (2, 'tom'), (3, 'kit');
SELECT count(*) AS pets FROM pet;

.print
.print '== 5. models v2: pets get an owner (a foreign key: ALTER TABLE ADD COLUMN ... REFERENCES)'
SELECT mig_models('models', readfile('sql/pets/v2.sql')) AS objects;
.print '-- the diff, before anything is written:'
.mode list
SELECT mig_diff('models');
.headers off
.mode line

.print
.print '== 6. autogenerate: the revision script, as written'
SELECT mig_autogenerate('models', 'pet owner') AS revision;
.mode list
SELECT readfile(file) FROM migrations WHERE is_head;
.headers off
.mode line

.print
.print '== 7. upgrade to head: one ALTER TABLE, no row copied'
SELECT mig_upgrade('head') AS current;
SELECT mig_diff('models') = '' AS models_match;
UPDATE pet SET owner_id = 1 WHERE id IN (1, 2);
UPDATE pet SET owner_id = 2 WHERE id = 3;
.mode list
.headers on
.separator ' | '
SELECT pet.id, pet.name AS pet, user.name AS owner
  FROM pet JOIN user ON user.id = pet.owner_id ORDER BY pet.id;

.print
.print '== 8. the migrations table'
SELECT revision, coalesce(down_revision, '') AS down_revision, message,
       is_applied, is_current, is_head, is_edited
  FROM migrations;

.print
.print '== 9. downgrade one step: back to v1, the pets are still there'
.headers off
.mode line
SELECT mig_downgrade('-1') AS current;
.mode list
.headers on
.separator ' | '
SELECT * FROM pet;
SELECT revision, message, is_applied, is_current FROM migrations;
