using UnlearnDashboard.Cli.Output;
using UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Cli.Tests;

public sealed class ProgressDisplayTests
{
    [Fact]
    public void Report_NotTerminal_WritesOneLinePerPhase()
    {
        var error = new StringWriter();
        var display = new ProgressDisplay(error, isTerminal: false);

        display.Report(new JobProgress { Phase = "training", Fraction = 0.1, Message = "epoch 1 of 10" });
        display.Report(new JobProgress { Phase = "training", Fraction = 0.2, Message = "epoch 2 of 10" });
        display.Report(new JobProgress { Phase = "evaluating", Fraction = 0.95 });
        display.Finish();

        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["training    10%  epoch 1 of 10", "evaluating  95%"], lines);
        Assert.DoesNotContain("\r", error.ToString());
    }

    [Fact]
    public void Report_Terminal_RedrawsInPlace()
    {
        var error = new StringWriter();
        var display = new ProgressDisplay(error, isTerminal: true);

        display.Report(new JobProgress { Phase = "ranking", Fraction = 0.5, Message = "scoring samples" });
        display.Report(new JobProgress { Phase = "ranking", Fraction = 0.75 });
        display.Finish();

        var output = error.ToString();
        Assert.Equal(2, output.Count(character => character == '\r'));
        Assert.Contains("[############------------] ranking     50%  scoring samples", output);
        Assert.Contains("[##################------] ranking     75%", output);
        Assert.EndsWith(Environment.NewLine, output);
    }

    [Fact]
    public void Report_TerminalLongMessage_StaysWithinLine()
    {
        var error = new StringWriter();
        var display = new ProgressDisplay(error, isTerminal: true);

        display.Report(new JobProgress { Phase = "training", Fraction = 0.5, Message = new string('x', 200) });

        Assert.True(error.ToString().TrimStart('\r').Length <= 79);
    }

    [Fact]
    public void FormatLine_FractionAboveOne_ShowsHundredPercent()
    {
        var line = ProgressDisplay.FormatLine(new JobProgress { Phase = "saving", Fraction = 1.2 });

        Assert.Equal("saving     100%", line);
    }
}
