using System.CommandLine.Parsing;

namespace UnlearnDashboard.Cli.Commands;

/// <summary>Helpers for command validators, which check how a command's options relate to each other.</summary>
internal static class CommandValidators
{
    /// <summary>
    /// Wraps <paramref name="validate"/> so that it runs only when every option and argument of the command has a
    /// value that parses. System.CommandLine 2.0.15 runs command validators before it converts the option values, and
    /// <c>GetValue</c> throws <see cref="InvalidOperationException"/> for a value that the option's parser rejected.
    /// Converting each value here first records the parser's error, which is then reported as a usage error.
    /// </summary>
    public static Action<CommandResult> WhenValuesParse(Action<CommandResult> validate) => result =>
    {
        if (AllValuesParse(result))
        {
            validate(result);
        }
    };

    private static bool AllValuesParse(CommandResult result)
    {
        bool allParse = true;
        foreach (var child in result.Children)
        {
            try
            {
                _ = child switch
                {
                    OptionResult option => option.GetValueOrDefault<object?>(),
                    ArgumentResult argument => argument.GetValueOrDefault<object?>(),
                    _ => null,
                };
            }
            catch (InvalidOperationException)
            {
                // The conversion has recorded its error on the option or argument, so the parse result reports it.
                allParse = false;
            }
        }

        return allParse;
    }
}
