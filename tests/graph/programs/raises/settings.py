def retention_days(value: str) -> int:
    days = int(value)
    if days <= 0:
        raise ValueError(f"retention must be positive, got {days}")
    return days
