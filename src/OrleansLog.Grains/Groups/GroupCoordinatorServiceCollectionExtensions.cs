using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansLog.Grains.Groups;

/// <summary>Registers what the group coordinators need besides the grains themselves.</summary>
internal static class GroupCoordinatorServiceCollectionExtensions
{
    /// <summary>The validator of <see cref="GroupCoordinatorOptions"/> and the built-in assignors (more may be added as <see cref="IPartitionAssignor"/> services).</summary>
    public static IServiceCollection AddGroupCoordinators(this IServiceCollection services)
    {
        services.AddTransient<IConfigurationValidator, GroupCoordinatorOptionsValidator>();
        foreach (IPartitionAssignor assignor in BuiltInAssignors.All)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IPartitionAssignor), assignor.GetType()));
        }

        return services;
    }
}
