-- kc-v2.sql - a clip database of schema version 2 (before chat clips),
-- made by kc-db of that version (add of two streams' clips and one's
-- featstats, ratings with a re-rated clip, the last clip deleted so the
-- id counter is ahead of the highest id) and written out by "sqlite3
-- .dump"; .dump leaves out the header pragmas, set at the end.  The
-- migration tests (tests/unit/test_db.c, tests/t/60-db.t) load it and
-- check that every row, rating and the id counter come through.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE streams (  id         TEXT PRIMARY KEY NOT NULL CHECK (length(id) > 0),  url        TEXT,  title      TEXT,  channel    TEXT,  duration   REAL CHECK (duration IS NULL OR duration >= 0),  live       INTEGER NOT NULL DEFAULT 0 CHECK (live IN (0, 1)),  first_seen TEXT NOT NULL,  last_seen  TEXT NOT NULL);
INSERT INTO streams VALUES('89fa840a00000001','/media/first.mp4','First "stream"','alpha',600.0,0,'2026-12-06T08:33:47.892Z','2026-12-06T08:33:47.892Z');
INSERT INTO streams VALUES('89fa840a00000002','/media/second.mp4','Second',NULL,NULL,0,'2026-12-06T08:33:47.896Z','2026-12-06T08:33:47.896Z');
CREATE TABLE clips (  id           INTEGER PRIMARY KEY AUTOINCREMENT,  path         TEXT NOT NULL UNIQUE CHECK (length(path) > 0),  stream_id    TEXT REFERENCES streams(id),  kind         TEXT NOT NULL CHECK (kind IN ('audio', 'video')),  t0           REAL NOT NULL,  t1           REAL NOT NULL CHECK (t1 >= t0),  want_t0      REAL,  want_t1      REAL,  mode         TEXT,  score        REAL,  heuristic    REAL,  model        REAL,  model_weight REAL,  features     TEXT NOT NULL DEFAULT '{}'               CHECK (json_valid(features) AND                      json_type(features) = 'object'),  created      TEXT NOT NULL,  rating       INTEGER CHECK (rating BETWEEN 1 AND 5),  rated_at     TEXT,  CHECK ((rating IS NULL) = (rated_at IS NULL)));
INSERT INTO clips VALUES(1,'/clips/first_001_00m40s_085_audio.mp4','89fa840a00000001','audio',38.499999999999999999,70.0,40.0,70.0,'copy',0.84999999999999997779,0.8000000000000000444,0.9000000000000000222,0.5,'{"flux_mean_z":1.5,"loudness_db":-12.5,"loudness_db_z":3.25}','2026-12-06T08:33:47.893Z',4,'2026-12-06T08:33:48.787Z');
INSERT INTO clips VALUES(2,'/clips/first_002_02m00s_070_video.mp4','89fa840a00000001','video',120.0,150.0,120.0,150.0,'accurate',0.69999999999999995559,0.69999999999999995559,NULL,0.0,'{"motion_mean_z":2.75}','2026-12-06T08:33:47.893Z',3,'2026-12-06T08:33:49.209Z');
INSERT INTO clips VALUES(3,'/clips/first_003_05m00s_040_audio.mp4','89fa840a00000001','audio',299.0,329.0,NULL,NULL,NULL,0.4000000000000000222,NULL,NULL,NULL,'{}','2026-12-06T08:33:47.893Z',NULL,NULL);
INSERT INTO clips VALUES(4,'/clips/second_001_00m10s_055_video.mp4','89fa840a00000002','video',10.0,40.0,NULL,NULL,NULL,0.5500000000000000444,NULL,NULL,NULL,'{"motion_mean_z":1.25}','2026-12-06T08:33:47.896Z',3,'2026-12-06T08:33:48.875Z');
CREATE TABLE ratings (  id      INTEGER PRIMARY KEY,  clip_id INTEGER NOT NULL REFERENCES clips(id),  stars   INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),  created TEXT NOT NULL);
INSERT INTO ratings VALUES(1,1,5,'2026-12-06T08:33:47.972Z');
INSERT INTO ratings VALUES(2,2,2,'2026-12-06T08:33:48.087Z');
INSERT INTO ratings VALUES(3,1,4,'2026-12-06T08:33:48.787Z');
INSERT INTO ratings VALUES(4,4,3,'2026-12-06T08:33:48.875Z');
INSERT INTO ratings VALUES(5,2,3,'2026-12-06T08:33:49.209Z');
CREATE TABLE stream_stats (  stream_id TEXT NOT NULL REFERENCES streams(id),  kind      TEXT NOT NULL CHECK (kind IN ('audio', 'video')),  feature   TEXT NOT NULL CHECK (length(feature) > 0),  hops      INTEGER NOT NULL CHECK (hops > 0),  median    REAL NOT NULL,  scale     REAL NOT NULL CHECK (scale >= 0),  updated   TEXT NOT NULL,  PRIMARY KEY (stream_id, kind, feature));
INSERT INTO stream_stats VALUES('89fa840a00000001','audio','loudness_db',580,-31.5,2.25,'2026-12-06T08:33:47.893Z');
INSERT INTO stream_stats VALUES('89fa840a00000001','audio','flux_mean',580,1.1000000000000000888,0.2000000000000000111,'2026-12-06T08:33:47.893Z');
INSERT INTO stream_stats VALUES('89fa840a00000001','video','motion_mean',600,0.012000000000000000249,0.0040000000000000000832,'2026-12-06T08:33:47.893Z');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('clips',5);
CREATE INDEX clips_stream ON clips(stream_id, t0);
CREATE INDEX ratings_clip ON ratings(clip_id);
COMMIT;
PRAGMA application_id = 1801667650;
PRAGMA user_version = 2;
PRAGMA journal_mode = WAL;
