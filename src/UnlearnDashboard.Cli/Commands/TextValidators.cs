using System.CommandLine.Parsing;

namespace UnlearnDashboard.Cli.Commands;

/// <summary>Validators for text options, so that an empty value is a usage error rather than "use the default".</summary>
internal static class TextValidators
{
    /// <summary>
    /// Returns a validator that rejects an empty or blank value given to <paramref name="optionName"/>, naming what
    /// the option expects. An option left out is not checked.
    /// </summary>
    public static Action<OptionResult> NotBlank(string optionName, string expected) => result =>
    {
        if (result.Tokens is [var token, ..] && string.IsNullOrWhiteSpace(token.Value))
            result.AddError($"Invalid value '{token.Value}' for option '{optionName}': expected {expected}.");
    };
}
