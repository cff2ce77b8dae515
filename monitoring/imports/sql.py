"""The SQL text of the write stage: the results table, PostgreSQL's staging table and statements.

The statements are built from the constant names here only; values always go as query
parameters.
"""

# The staging table of one import: the file's rows with ids resolved, nothing else.
# Temporary (private to the connection) and dropped at commit; dropped first too, because
# inside an outer transaction (tests, a seed) an earlier import's table may still exist.
STAGE = "monitoring_result_stage"
SLICE = ("year_id", "procedure", "subject_id", "grade", "school_id")
VALUES = (
    "participant_key",
    "class_name",
    "variant",
    "primary_score",
    "max_primary_score",
    "mark",
    "journal_mark",
    "test_score",
    "task_scores",
)
STAGE_DDL = f"""
    CREATE TEMPORARY TABLE {STAGE} (
        year_id bigint NOT NULL, procedure varchar(3) NOT NULL, subject_id bigint NOT NULL,
        grade smallint NOT NULL, school_id bigint NOT NULL, participant_key varchar(32) NOT NULL,
        class_name varchar(10) NOT NULL, variant varchar(20) NOT NULL, primary_score integer NOT NULL,
        max_primary_score integer, mark integer, journal_mark integer, test_score integer,
        task_scores text NOT NULL
    ) ON COMMIT DROP
"""
RESULTS = "monitoring_participantresult"
SLICE_COLS = ", ".join(SLICE)
VALUE_COLS = ", ".join(VALUES)
COPY_SQL = f"COPY {STAGE} ({SLICE_COLS}, {VALUE_COLS}) FROM STDIN"
# The slices whose current rows differ from the file's: a participant only in the file,
# only in the table, or with other values. Participant keys are unique within a slice on
# both sides (the file was checked for duplicates; current rows have a unique constraint).
CHANGED_SQL = f"""
    CREATE TEMPORARY TABLE {STAGE}_changed ON COMMIT DROP AS
    WITH slices AS (SELECT DISTINCT {SLICE_COLS} FROM {STAGE}),
    current_rows AS (
        SELECT r.* FROM {RESULTS} r JOIN slices USING ({SLICE_COLS}) WHERE r.replaced_by_id IS NULL
    )
    SELECT DISTINCT {", ".join(f"COALESCE(s.{c}, c.{c}) AS {c}" for c in SLICE)}
    FROM {STAGE} s FULL JOIN current_rows c
      ON {" AND ".join(f"s.{c} = c.{c}" for c in (*SLICE, "participant_key"))}
    WHERE s.participant_key IS NULL OR c.participant_key IS NULL
       OR ({", ".join(f"s.{c}" for c in VALUES)}) IS DISTINCT FROM ({", ".join(f"c.{c}" for c in VALUES)})
"""  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
COPY_RESULTS_SQL = f"COPY {RESULTS} ({SLICE_COLS}, {VALUE_COLS}, import_job_id) FROM STDIN"
# The schools with current rows in one (year, procedure, subject, grade): an index-only scan
# of the prefix of result_unique_current.
EXISTING_SLICES_SQL = (
    f"SELECT DISTINCT school_id FROM {RESULTS} "  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
    "WHERE year_id = %s AND procedure = %s AND subject_id = %s AND grade = %s AND replaced_by_id IS NULL"
)
REPLACE_SQL = (
    f"UPDATE {RESULTS} r SET replaced_by_id = %s FROM {STAGE}_changed ch "  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
    f"WHERE r.replaced_by_id IS NULL AND {' AND '.join(f'r.{c} = ch.{c}' for c in SLICE)}"
)
INSERT_SQL = (
    f"INSERT INTO {RESULTS} ({SLICE_COLS}, {VALUE_COLS}, import_job_id) "  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
    f"SELECT {', '.join(f's.{c}' for c in (*SLICE, *VALUES))}, %s "
    f"FROM {STAGE} s JOIN {STAGE}_changed ch USING ({SLICE_COLS})"
)


INSERT_VALUES_SQL = (
    f"INSERT INTO {RESULTS} ({SLICE_COLS}, {VALUE_COLS}, import_job_id) "  # noqa: S608  # nosec B608 # identifiers are module constants; values go as query parameters
    f"VALUES ({', '.join(['%s'] * (len(SLICE) + len(VALUES) + 1))})"
)
