namespace UnlearnDashboard.Engine;

/// <summary>Kind of failure, so that a host can map it to its own status codes.</summary>
public enum EngineErrorKind
{
    /// <summary>The input is malformed or inconsistent (gRPC INVALID_ARGUMENT).</summary>
    InvalidArgument,

    /// <summary>The input is valid but the operation cannot run on it (gRPC FAILED_PRECONDITION).</summary>
    FailedPrecondition,

    /// <summary>Stored data is damaged (gRPC DATA_LOSS).</summary>
    DataLoss,
}

/// <summary>
/// A failure the engine expects and explains: bad input, an unsolvable request or damaged data.
/// <see cref="Field"/> names the column, option or parameter at fault, and <see cref="Value"/> the value.
/// </summary>
public sealed class EngineException : Exception
{
    public EngineException(EngineErrorKind kind, string field, string message, string? value = null)
        : base(message)
    {
        Kind = kind;
        Field = field;
        Value = value;
    }

    public EngineErrorKind Kind { get; }

    /// <summary>Column, option or parameter at fault, for example <c>native-country</c> or <c>remove_fraction</c>.</summary>
    public string Field { get; }

    /// <summary>Offending value, when there is one.</summary>
    public string? Value { get; }

    public static EngineException Invalid(string field, string message, string? value = null) =>
        new(EngineErrorKind.InvalidArgument, field, message, value);

    public static EngineException Precondition(string field, string message, string? value = null) =>
        new(EngineErrorKind.FailedPrecondition, field, message, value);
}
