using OrleansLog.Groups;

namespace OrleansLog.Benchmarks.Groups;

/// <summary>
/// A minimal group member speaking the classic protocol to the coordinator grain: join, sync, then a
/// heartbeat every <see cref="HeartbeatInterval"/>, rejoining (with the partitions it owns) whenever the
/// coordinator answers RebalanceInProgress.
/// </summary>
internal sealed class BenchMember
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(50);

    private readonly IGroupCoordinatorGrain _group;
    private readonly string _topic;
    private readonly string _assignor;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private string _memberId = string.Empty;
    private volatile MemberView _view = new(-1, []);

    private BenchMember(IGroupCoordinatorGrain group, string clientId, string topic, string assignor)
    {
        _group = group;
        ClientId = clientId;
        _topic = topic;
        _assignor = assignor;
    }

    public string ClientId { get; }

    /// <summary>The generation and assignment of its last successful sync.</summary>
    public MemberView View => _view;

    public static BenchMember Start(IGroupCoordinatorGrain group, string clientId, string topic, string assignor)
    {
        var member = new BenchMember(group, clientId, topic, assignor);
        member._loop = Task.Run(member.RunAsync);
        return member;
    }

    public async Task LeaveAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _group.LeaveGroupAsync(_memberId, null);
    }

    private async Task RunAsync()
    {
        bool rejoin = true;
        while (!_stop.IsCancellationRequested)
        {
            if (rejoin)
            {
                var request = new JoinGroupRequest(_memberId, null, ClientId, 10_000, 10_000, [_topic], [_assignor], _view.Assignment);
                JoinGroupResult join = await _group.JoinGroupAsync(request);
                if (join.Error != ErrorCode.None)
                {
                    _memberId = join.Error == ErrorCode.UnknownMemberId ? string.Empty : _memberId;
                    continue;
                }

                _memberId = join.MemberId;
                SyncGroupResult sync = await _group.SyncGroupAsync(_memberId, null, join.GenerationId);
                if (sync.Error == ErrorCode.None)
                {
                    _view = new MemberView(sync.GenerationId, sync.Assignment);
                    rejoin = false;
                }

                continue;
            }

            try
            {
                await Task.Delay(HeartbeatInterval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            rejoin = await _group.HeartbeatAsync(_memberId, null, _view.Generation) != ErrorCode.None;
        }
    }

    public sealed record MemberView(int Generation, IReadOnlyList<TopicPartition> Assignment);
}
