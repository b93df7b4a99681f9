using System.Globalization;
using Google.Protobuf;
using UnlearnDashboard.Compute.Services;
using UnlearnDashboard.Engine.Counterfactuals;
using Proto = UnlearnDashboard.Protos.V1;

namespace UnlearnDashboard.Compute.Counterfactuals;

/// <summary>Cuts a counterfactual set into pages of row pairs with their changed cells marked.</summary>
internal static class CounterfactualPages
{
    public const int DefaultPageSize = 100;

    public const int MaxPageSize = 1000;

    // gRPC's default message limit is 4 MB; a page stops before its pairs pass this, leaving room for the set.
    private const int MaxPageBytes = 3 * 1024 * 1024;

    /// <summary>
    /// Returns the pairs from <paramref name="pageToken"/> on, at most <paramref name="pageSize"/> of them
    /// and about 3 MB, with the token of the next page (empty after the last). Throws INVALID_ARGUMENT for a
    /// page size out of range or a token this server did not issue.
    /// </summary>
    public static (IReadOnlyList<Proto.CounterfactualRowPair> Rows, string NextPageToken) Read(
        CounterfactualSet set,
        int pageSize,
        string pageToken)
    {
        if (pageSize is < 0 or > MaxPageSize)
            throw RpcErrors.InvalidArgument("page_size", $"page_size must be in [1, {MaxPageSize}], or 0 for {DefaultPageSize}; got {pageSize}.");

        int size = pageSize == 0 ? DefaultPageSize : pageSize;
        int start = ParseToken(pageToken, set.Count);
        var rows = new List<Proto.CounterfactualRowPair>();
        int bytes = 0;
        int position = start;
        while (position < set.Count && rows.Count < size)
        {
            var pair = Pair(set, position);
            int pairBytes = pair.CalculateSize();
            if (rows.Count > 0 && bytes + pairBytes > MaxPageBytes)
                break;

            rows.Add(pair);
            bytes += pairBytes;
            position++;
        }

        string next = position < set.Count ? position.ToString(CultureInfo.InvariantCulture) : "";
        return (rows, next);
    }

    /// <summary>Counts the cells that differ between the original rows and their counterfactuals.</summary>
    public static long CountChangedCells(CounterfactualSet set)
    {
        long changed = 0;
        for (int c = 0; c < set.Original.FeatureColumns.Count; c++)
        {
            string[] original = set.Original.FeatureValues[c];
            string[] counterfactual = set.Counterfactual.FeatureValues[c];
            for (int r = 0; r < set.Count; r++)
            {
                if (!string.Equals(original[r], counterfactual[r], StringComparison.Ordinal))
                    changed++;
            }
        }

        return changed;
    }

    private static Proto.CounterfactualRowPair Pair(CounterfactualSet set, int position)
    {
        var pair = new Proto.CounterfactualRowPair
        {
            RowId = set.Original.RowIds[position],
            Label = set.Original.Labels[position] > 0.5f ? 1 : 0,
        };
        for (int c = 0; c < set.Original.FeatureColumns.Count; c++)
        {
            string original = set.Original.FeatureValues[c][position];
            string counterfactual = set.Counterfactual.FeatureValues[c][position];
            pair.Original.Add(original);
            pair.Counterfactual.Add(counterfactual);
            if (!string.Equals(original, counterfactual, StringComparison.Ordinal))
                pair.ChangedColumns.Add(c);
        }

        return pair;
    }

    private static int ParseToken(string pageToken, int count)
    {
        if (pageToken.Length == 0)
            return 0;

        if (!int.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out int start) || start > count)
        {
            throw RpcErrors.InvalidArgument("page_token",
                $"page_token '{pageToken}' is invalid; pass the next_page_token of the previous page, or leave it empty for the first page.");
        }

        return start;
    }
}
