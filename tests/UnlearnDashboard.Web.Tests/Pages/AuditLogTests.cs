using Bunit;
using Google.Protobuf.WellKnownTypes;
using UnlearnDashboard.Protos.V1;
using UnlearnDashboard.Web.Components.Pages;

namespace UnlearnDashboard.Web.Tests.Pages;

public sealed class AuditLogTests : DashboardTestContext
{
    public AuditLogTests()
    {
        for (int i = 1; i <= 150; i++)
        {
            Audit.Entries.Add(new AuditEntry
            {
                Sequence = i,
                Time = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero).AddMinutes(i)),
                Actor = i % 2 == 0 ? "system" : "erin",
                Action = i % 2 == 0 ? "job.start" : "job.submit",
                Subject = $"job/j{i}",
                DetailsJson = "{}",
                Hash = new string('a', 64),
            });
        }
    }

    [Fact]
    public void AuditLog_ListsFirstPageAndLoadsMore()
    {
        var page = Render<AuditLog>();

        page.WaitForAssertion(() => Assert.Equal(100, page.FindAll("[data-testid=entries] tbody tr").Count));
        page.Find("[data-testid=load-more]").Click();

        page.WaitForAssertion(() => Assert.Equal(150, page.FindAll("[data-testid=entries] tbody tr").Count));
        Assert.Equal("job/j150", page.Find("tr[data-sequence='150'] td.hash").TextContent);
    }

    [Fact]
    public void AuditLog_FiltersByAction()
    {
        var page = Render<AuditLog>();
        page.WaitForElement("[data-testid=entries]");

        page.Find("[data-testid=action-filter]").Change("job.submit");
        page.Find("[data-testid=search]").Click();

        page.WaitForAssertion(() => Assert.All(page.FindAll("[data-testid=entries] tbody tr"), row => Assert.Contains("job.submit", row.TextContent)));
        Assert.Equal("job.submit", Audit.Requests[^1].Action);
    }

    [Fact]
    public void AuditLog_BrokenChain_NamesFirstBrokenEntry()
    {
        Audit.Check = new VerifyAuditChainResponse { Intact = false, FirstBrokenSequence = 42, Reason = "entry 42's hash does not match its content" };
        var page = Render<AuditLog>();
        page.WaitForElement("[data-testid=entries]");

        page.Find("[data-testid=verify]").Click();

        var status = page.WaitForElement("[data-testid=chain-status]");
        Assert.Equal("false", status.GetAttribute("data-intact"));
        Assert.Contains("broken at entry 42: entry 42's hash does not match its content", status.TextContent);
    }

    [Fact]
    public void AuditLog_NoMatch_SaysSo()
    {
        var page = Render<AuditLog>();
        page.WaitForElement("[data-testid=entries]");

        page.Find("[data-testid=actor-filter]").Change("nobody");
        page.Find("[data-testid=search]").Click();

        page.WaitForAssertion(() => Assert.Equal("No audit entries match.", page.Find("[data-testid=empty]").TextContent));
    }
}
