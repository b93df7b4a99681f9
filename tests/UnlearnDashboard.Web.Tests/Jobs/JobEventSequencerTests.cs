using UnlearnDashboard.Web.Jobs;

namespace UnlearnDashboard.Web.Tests.Jobs;

public sealed class JobEventSequencerTests
{
    [Fact]
    public void Sequencer_ReleasesEventsInOrderOnce()
    {
        var sequencer = new JobEventSequencer(0);

        var first = sequencer.Add(TestData.Progress(2, "ranking", 0.1));
        var second = sequencer.Add(TestData.Progress(1, "loading", 0));
        var repeat = sequencer.Add(TestData.Progress(2, "ranking", 0.1));
        var third = sequencer.Add(TestData.Progress(3, "unlearning", 0.5));

        Assert.Empty(first);
        Assert.Equal([1L, 2L], second.Select(e => e.Sequence));
        Assert.Empty(repeat);
        Assert.Equal([3L], third.Select(e => e.Sequence));
        Assert.Equal(3, sequencer.LastSequence);
        Assert.False(sequencer.HasGap);
    }

    [Fact]
    public void Sequencer_ReportsGapUntilFilled()
    {
        var sequencer = new JobEventSequencer(4);

        var early = sequencer.Add(TestData.Progress(6, "ranking", 0.1));
        bool gapBefore = sequencer.HasGap;
        var filled = sequencer.Add(TestData.Progress(5, "loading", 0));

        Assert.Empty(early);
        Assert.True(gapBefore);
        Assert.Equal([5L, 6L], filled.Select(e => e.Sequence));
        Assert.False(sequencer.HasGap);
    }

    [Fact]
    public void Sequencer_DropsEventsAtOrBeforeStart()
    {
        var sequencer = new JobEventSequencer(3);

        var old = sequencer.Add(TestData.Progress(3, "loading", 0));

        Assert.Empty(old);
        Assert.Equal(3, sequencer.LastSequence);
    }
}
