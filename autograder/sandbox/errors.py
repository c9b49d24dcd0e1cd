"""The one error the trusted side of the sandbox raises (its own module: the zygote's client,
which starts before numpy is imported, raises it too)."""


class SandboxError(Exception):
    """The sandbox could not be started or stopped answering."""
