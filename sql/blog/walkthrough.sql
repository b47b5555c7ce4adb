-- The blog walkthrough (seed 2) in the sqlite3 shell: users and posts,
-- then phone, an index, and the guide's "nullable gotcha" fixed in its
-- three steps (add nullable, fill, constrain).  From a scratch directory
-- that holds a copy of sql/:
--
--   sqlite3 -bail -cmd '.load /path/to/libmig' blog.db < sql/blog/walkthrough.sql
--
-- Revision scripts go to ./blog-migrations, so that it can run next to
-- the pets walkthrough (which uses the default, ./migrations).
.bail on
.mode line
SELECT mig_config('script_location', 'blog-migrations') AS script_location;

.print '== v1: users and posts'
SELECT mig_models('models', readfile('sql/blog/v1.sql')) AS objects;
SELECT mig_autogenerate('models', 'users and posts') IS NOT NULL AS written;
SELECT mig_upgrade('head') IS NOT NULL AS upgraded;
INSERT INTO users(id, username, email) VALUES (1, 'ann', 'ann@example.com'),
                                              (2, 'bob', 'bob@example.com');
INSERT INTO posts(user_id, title, body) VALUES (1, 'hello', 'first post');

.print
.print '== v2: phone = Column(String(20)): a plain ADD COLUMN'
SELECT mig_models('models', readfile('sql/blog/v2.sql')) AS objects;
.mode list
SELECT mig_diff('models');
.headers off
.mode line
SELECT mig_autogenerate('models', 'add phone to users') IS NOT NULL AS written;
SELECT mig_upgrade('head') IS NOT NULL AS upgraded;

.print
.print '== v3: an index on posts.user_id'
SELECT mig_models('models', readfile('sql/blog/v3.sql')) AS objects;
.mode list
SELECT mig_diff('models');
.headers off
.mode line
SELECT mig_autogenerate('models', 'index posts by user') IS NOT NULL AS written;
SELECT mig_upgrade('head') IS NOT NULL AS upgraded;

.print
.print '== v4: status NOT NULL without a default, and users has rows'
SELECT mig_models('models', readfile('sql/blog/v4.sql')) AS objects;
.print '-- what autogenerate would write (note the TODO and the NULL mapping):'
.mode list
SELECT mig_diff('models');
.headers off
.mode line

.print
.print '-- step 1 of 3: add the column as nullable (a hand-written revision)'
SELECT mig_revision('add users.status, nullable',
  'ALTER TABLE users ADD COLUMN status VARCHAR(20);',
  'ALTER TABLE users DROP COLUMN status;') IS NOT NULL AS written;

.print '-- step 2 of 3: fill it (a data migration; its downgrade does nothing)'
SELECT mig_revision('fill users.status',
  'UPDATE users SET status = ''active'' WHERE status IS NULL;',
  '') IS NOT NULL AS written;
SELECT mig_upgrade('head') IS NOT NULL AS upgraded;

.print '-- step 3 of 3: constrain; now the diff is only NOT NULL, and autogenerate writes it'
SELECT mig_autogenerate('models', 'users.status not null') IS NOT NULL AS written;
SELECT mig_upgrade('head') IS NOT NULL AS upgraded;
SELECT mig_diff('models') = '' AS models_match;
SELECT mig_check('models') AS check_result;

.print
.print '== the data, and the history'
.mode list
.headers on
.separator ' | '
SELECT id, username, phone, status FROM users;
SELECT id, user_id, title FROM posts;
SELECT message, is_applied, is_current FROM migrations;
