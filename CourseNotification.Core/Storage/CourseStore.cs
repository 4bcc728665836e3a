using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using CourseNotification.Enrolments;

namespace CourseNotification.Storage;

/// <summary>Courses: one partition, row key = course id, so the scan lists them in pages.</summary>
public sealed class CourseStore(StorageAccount storage)
{
    private const string Partition = "course";
    private readonly TableClient _table = storage.Table(StorageNames.CoursesTable);

    public async Task<Course?> GetAsync(long courseId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, StorageNames.Key(courseId), cancellationToken: cancellationToken);
        return response.HasValue ? ToCourse(response.Value!) : null;
    }

    public async Task UpsertAsync(Course course, CancellationToken cancellationToken) =>
        await _table.UpsertEntityAsync(ToEntity(course), TableUpdateMode.Replace, cancellationToken);

    /// <summary>The stored courses among <paramref name="courseIds"/>, read by ranges of ids.</summary>
    public async Task<IReadOnlyDictionary<long, Course>> GetManyAsync(IEnumerable<long> courseIds, CancellationToken cancellationToken)
    {
        var wanted = courseIds.ToHashSet();
        var found = new System.Collections.Concurrent.ConcurrentDictionary<long, Course>();
        await Parallel.ForEachAsync(TableBatches.Ranges(wanted), TableBatches.Options(cancellationToken), async (range, ct) =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {StorageNames.Key(range.First)} and RowKey le {StorageNames.Key(range.Last)}");
            await foreach (var entity in _table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
            {
                var course = ToCourse(entity);
                if (wanted.Contains(course.Id))
                {
                    found[course.Id] = course;
                }
            }
        });
        return found;
    }

    /// <summary>Writes each course as <see cref="UpsertAsync"/> does, in batches (they share one partition).</summary>
    public Task UpsertManyAsync(IEnumerable<Course> courses, CancellationToken cancellationToken) =>
        TableBatches.SubmitAsync(_table, courses.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(c))), cancellationToken);

    private static TableEntity ToEntity(Course course) => new(Partition, StorageNames.Key(course.Id))
    {
        ["ShortName"] = course.ShortName,
        ["FullName"] = course.FullName,
        ["Url"] = course.Url,
        ["StartDate"] = course.StartDate,
        ["EndDate"] = course.EndDate,
        ["Visible"] = course.Visible,
        ["StateAt"] = course.StateAt,
    };

    public Task DeleteAsync(long courseId, CancellationToken cancellationToken) =>
        _table.DeleteEntityAsync(Partition, StorageNames.Key(courseId), ETag.All, cancellationToken);

    /// <summary>Course ids in pages (never the whole table in memory).</summary>
    public async IAsyncEnumerable<IReadOnlyList<long>> ListIdPagesAsync(int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = _table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, pageSize, ["RowKey"], cancellationToken);
        await foreach (Page<TableEntity> page in query.AsPages())
        {
            yield return page.Values.Select(e => StorageNames.ParseKey(e.RowKey)).ToList();
        }
    }

    /// <summary>Every course's full name by id, in one read of the courses' partition (a request per 1,000 courses).</summary>
    public async Task<IReadOnlyDictionary<long, string>> FullNamesAsync(CancellationToken cancellationToken)
    {
        var names = new Dictionary<long, string>();
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, 1000, ["RowKey", "FullName"], cancellationToken))
        {
            names[StorageNames.ParseKey(row.RowKey)] = row.GetString("FullName") ?? "";
        }
        return names;
    }

    /// <summary>Every course's short and full name, in one read of the courses' partition (for the CSV import's matching by name).</summary>
    public async Task<IReadOnlyList<(long Id, string ShortName, string FullName)>> NamesAsync(CancellationToken cancellationToken)
    {
        var names = new List<(long, string, string)>();
        await foreach (var row in _table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, 1000, ["RowKey", "ShortName", "FullName"], cancellationToken))
        {
            names.Add((StorageNames.ParseKey(row.RowKey), row.GetString("ShortName") ?? "", row.GetString("FullName") ?? ""));
        }
        return names;
    }

    private static Course ToCourse(TableEntity e) => new()
    {
        Id = StorageNames.ParseKey(e.RowKey),
        ShortName = e.GetString("ShortName") ?? "",
        FullName = e.GetString("FullName") ?? "",
        Url = e.GetString("Url"),
        StartDate = e.GetDateTimeOffset("StartDate"),
        EndDate = e.GetDateTimeOffset("EndDate"),
        Visible = e.GetBoolean("Visible") ?? true,
        StateAt = e.GetDateTimeOffset("StateAt"),
    };
}
