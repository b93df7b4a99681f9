namespace UnlearnDashboard.Compute.Storage;

// Rows of the compute server's database. Times are UTC. Proto messages are stored as their serialized
// bytes, engine records as JSON, so the schema stays the same when the messages gain fields.

/// <summary>A registered dataset; its files are artifacts named by their SHA-256.</summary>
public sealed class DatasetRow
{
    public required string Id { get; set; }

    /// <summary>Unique name, for example "adult".</summary>
    public required string Name { get; set; }

    /// <summary>The engine's <c>DatasetDefinition</c> as JSON.</summary>
    public required string DefinitionJson { get; set; }

    public required string TrainSha256 { get; set; }

    public string? TestSha256 { get; set; }

    public long TrainRows { get; set; }

    public long ValidationRows { get; set; }

    public long TestRows { get; set; }

    public long DroppedRows { get; set; }

    public long ExcludedRows { get; set; }

    public long FeatureCount { get; set; }

    /// <summary>Groups of the sensitive attribute, largest first, as a JSON array.</summary>
    public required string GroupsJson { get; set; }

    public string? DefaultModelVersionId { get; set; }

    /// <summary>1 at registration, one more each time an erasure purges rows from the training file.</summary>
    public int Version { get; set; } = 1;

    public DateTime CreatedAt { get; set; }
}

/// <summary>A model trained on a dataset; its weights live in its versions.</summary>
public sealed class ModelRow
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public required string DatasetId { get; set; }

    /// <summary>The proto <c>ModelSettings</c> of the training request.</summary>
    public required byte[] Settings { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>One set of weights of a model: the trained one or a debiased child of another version.</summary>
public sealed class ModelVersionRow
{
    public required string Id { get; set; }

    public required string ModelId { get; set; }

    public string? ParentVersionId { get; set; }

    public required string JobId { get; set; }

    public required string WeightsSha256 { get; set; }

    /// <summary>The engine's <c>ModelSpec</c> as JSON.</summary>
    public required string SpecJson { get; set; }

    /// <summary>The proto <c>FairnessReport</c> on the test split.</summary>
    public required byte[] TestReport { get; set; }

    /// <summary>Row ids removed from the parent's training data, as a JSON array; "[]" for a trained version.</summary>
    public required string RemovedRowIdsJson { get; set; }

    public long RemovedSampleCount { get; set; }

    public DateTime CreatedAt { get; set; }

    // Lineage: what the version was made from. Null (0 for the dataset version) on versions made before the
    // server recorded lineage.

    /// <summary>SHA-256 of the dataset's training file when the version was made.</summary>
    public string? DatasetTrainSha256 { get; set; }

    public string? DatasetTestSha256 { get; set; }

    /// <summary>The dataset's <see cref="DatasetRow.Version"/> when the version was made; 0 when unknown.</summary>
    public int DatasetVersion { get; set; }

    public string? CounterfactualSetId { get; set; }

    /// <summary>Informational version of the compute server that made the version, without the commit.</summary>
    public string? ProductVersion { get; set; }

    /// <summary>Git commit the compute server was built from.</summary>
    public string? SourceRevision { get; set; }

    /// <summary>The proto <c>GateVerdict</c> of the latest promotion of the version to champion.</summary>
    public byte[]? GateVerdict { get; set; }
}

/// <summary>A named pointer of a model to one of its versions, such as "champion"; (ModelId, Alias) is the key.</summary>
public sealed class ModelAliasRow
{
    public required string ModelId { get; set; }

    public required string Alias { get; set; }

    public required string VersionId { get; set; }

    public required string UpdatedBy { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>An erasure: the certificate of the job that removed named rows from a version and purged them from the dataset.</summary>
public sealed class ErasureRow
{
    public required string Id { get; set; }

    public required string JobId { get; set; }

    public required string DatasetId { get; set; }

    public required string BaseVersionId { get; set; }

    public required string NewVersionId { get; set; }

    public required string RequestedBy { get; set; }

    public DateTime IssuedAt { get; set; }

    /// <summary>The proto <c>ErasureCertificate</c>; it contains row ids and hashes, never row values.</summary>
    public required byte[] Certificate { get; set; }
}

/// <summary>The release gate of a model: the rules a version passes to become champion. Null rules are not checked.</summary>
public sealed class ReleaseGateRow
{
    public required string ModelId { get; set; }

    public double? MinDisparateImpactRatio { get; set; }

    public double? MaxAccuracyDrop { get; set; }

    public required string UpdatedBy { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A training or bias-removal job.</summary>
public sealed class JobRow
{
    public required string Id { get; set; }

    /// <summary>The proto <c>JobKind</c>.</summary>
    public int Kind { get; set; }

    /// <summary>The proto <c>JobState</c>.</summary>
    public int State { get; set; }

    /// <summary>The proto <c>TrainModelRequest</c> or <c>DebiasRequest</c>.</summary>
    public required byte[] Request { get; set; }

    public required string DatasetId { get; set; }

    /// <summary>Base version of a debias job, or the version that a training job produced.</summary>
    public string? ModelVersionId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public string? Error { get; set; }

    /// <summary>The proto <c>JobResult</c> of a job that succeeded.</summary>
    public byte[]? Result { get; set; }

    public long LastSequence { get; set; }

    /// <summary>Seconds from <see cref="CreatedAt"/> after which the job is cancelled; null for no deadline.</summary>
    public double? DeadlineSeconds { get; set; }

    /// <summary>
    /// Id of the compute server that holds the job's lease while it runs; null while the job waits. Used only
    /// by the PostgreSQL job queue, where several servers share the jobs.
    /// </summary>
    public string? LeaseOwner { get; set; }

    /// <summary>Database time after which another compute server may take the running job over.</summary>
    public DateTime? LeaseExpiresAt { get; set; }

    /// <summary>How many times a compute server has started the job; more than 1 after a reclaim.</summary>
    public int Attempts { get; set; }

    /// <summary>Set by a CancelJob call on a server that does not run the job; the running server stops it.</summary>
    public bool CancelRequested { get; set; }
}

/// <summary>One event of a job; (JobId, Sequence) is the key.</summary>
public sealed class JobEventRow
{
    public required string JobId { get; set; }

    public long Sequence { get; set; }

    public DateTime Time { get; set; }

    /// <summary>The proto <c>JobEvent</c>.</summary>
    public required byte[] Payload { get; set; }
}

/// <summary>A counterfactual set of a dataset; its row pairs are one CSV artifact named by its SHA-256.</summary>
public sealed class CounterfactualSetRow
{
    public required string Id { get; set; }

    public required string DatasetId { get; set; }

    /// <summary>The proto <c>CounterfactualSetStatus</c>.</summary>
    public int Status { get; set; }

    public required string RequestedBy { get; set; }

    /// <summary>The proto <c>GenerateCounterfactualSetRequest</c> without its uploaded rows.</summary>
    public required byte[] Spec { get; set; }

    /// <summary>"training rows" or "uploaded rows".</summary>
    public required string Source { get; set; }

    public required string ArtifactSha256 { get; set; }

    public long RowCount { get; set; }

    public long ChangedCellCount { get; set; }

    /// <summary>Feature columns of the rows, as a JSON array.</summary>
    public required string ColumnsJson { get; set; }

    /// <summary>Columns the spec maps, sensitive column first, as a JSON array.</summary>
    public required string MappedColumnsJson { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? ReviewedBy { get; set; }

    public string? ReviewComment { get; set; }

    public DateTime? ReviewedAt { get; set; }

    /// <summary>
    /// Dataset version whose row ids the set's rows carry: the version it was generated on. Null for a set
    /// stored before the version was recorded.
    /// </summary>
    public int? DatasetVersion { get; set; }

    /// <summary>Id of the erasure that withdrew the set because it copied an erased record; null while not withdrawn.</summary>
    public string? WithdrawnByErasureId { get; set; }

    public DateTime? WithdrawnAt { get; set; }
}

/// <summary>
/// One entry of the append-only audit trail. Entries form a hash chain: <see cref="Hash"/> is the SHA-256 of
/// the entry's canonical encoding, which includes <see cref="PreviousHash"/>. The database rejects UPDATE and
/// DELETE on the table with triggers.
/// </summary>
public sealed class AuditEntryRow
{
    /// <summary>Position in the chain: 1 for the first entry, then one more per entry, with no gaps.</summary>
    public long Sequence { get; set; }

    /// <summary>UTC time, truncated to whole microseconds so that SQLite and PostgreSQL store it exactly.</summary>
    public DateTime Time { get; set; }

    /// <summary>Who acted: a user name, "anonymous" for an unauthenticated call, or "system".</summary>
    public required string Actor { get; set; }

    /// <summary>What happened, for example "job.submit"; see <c>AuditActions</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What it happened to, as "kind/id", for example "job/0193…".</summary>
    public required string Subject { get; set; }

    /// <summary>A JSON object of ids, hashes and counts (never row data), stored as text so that its bytes stay as hashed.</summary>
    public required string DetailsJson { get; set; }

    /// <summary>Hash of the previous entry, lowercase hex; 64 zeros for the first entry.</summary>
    public required string PreviousHash { get; set; }

    /// <summary>SHA-256 of this entry's canonical encoding, lowercase hex.</summary>
    public required string Hash { get; set; }
}
