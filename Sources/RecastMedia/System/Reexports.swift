// Media code calls the syscall wrapper everywhere; importing RecastMedia brings it along.
@_exported import RecastSystem
