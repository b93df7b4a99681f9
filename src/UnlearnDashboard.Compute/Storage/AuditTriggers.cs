namespace UnlearnDashboard.Compute.Storage;

/// <summary>
/// SQL of the triggers that make <c>audit_entries</c> append-only: the database itself rejects UPDATE and
/// DELETE (and TRUNCATE on PostgreSQL) from every connection. The migrations that create the table run it.
/// </summary>
/// <remarks>
/// NOTE: on SQLite, an EF Core migration that rebuilds <c>audit_entries</c> (to change a column) drops its
/// triggers; such a migration must run <see cref="CreateSqlite"/> again.
/// </remarks>
public static class AuditTriggers
{
    public const string UpdateTrigger = "audit_entries_reject_update";

    public const string DeleteTrigger = "audit_entries_reject_delete";

    public const string TruncateTrigger = "audit_entries_reject_truncate";

    public const string PostgresFunction = "audit_entries_reject_change";

    public const string CreateSqlite = $"""
        CREATE TRIGGER {UpdateTrigger} BEFORE UPDATE ON audit_entries
        BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE is rejected'); END;
        CREATE TRIGGER {DeleteTrigger} BEFORE DELETE ON audit_entries
        BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE is rejected'); END;
        """;

    public const string DropSqlite = $"""
        DROP TRIGGER IF EXISTS {UpdateTrigger};
        DROP TRIGGER IF EXISTS {DeleteTrigger};
        """;

    public const string CreatePostgres = $"""
        CREATE FUNCTION {PostgresFunction}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_entries is append-only: % is rejected', TG_OP USING ERRCODE = 'restrict_violation';
        END
        $$;
        CREATE TRIGGER {UpdateTrigger} BEFORE UPDATE ON audit_entries FOR EACH ROW EXECUTE FUNCTION {PostgresFunction}();
        CREATE TRIGGER {DeleteTrigger} BEFORE DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION {PostgresFunction}();
        CREATE TRIGGER {TruncateTrigger} BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION {PostgresFunction}();
        """;

    public const string DropPostgres = $"""
        DROP TRIGGER IF EXISTS {UpdateTrigger} ON audit_entries;
        DROP TRIGGER IF EXISTS {DeleteTrigger} ON audit_entries;
        DROP TRIGGER IF EXISTS {TruncateTrigger} ON audit_entries;
        DROP FUNCTION IF EXISTS {PostgresFunction}();
        """;
}
