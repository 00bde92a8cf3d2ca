namespace Hub.Server.Databases;

/// <summary>Which budget of new-name lookups refused a lookup, if any.</summary>
public enum LookupThrottle
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>The caller looked up as many new names per second as one user may.</summary>
    User,

    /// <summary>The hub looks up as many new names per second as it may, over all users.</summary>
    Hub,
}
