using UnlearnDashboard.Cli;

using var termination = TerminationSignal.Register();

return await CliApp.RunAsync(args, CliConsole.FromSystemConsole(), termination.Token);
