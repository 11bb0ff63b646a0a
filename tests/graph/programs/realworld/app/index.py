def handler(event, context):\n    return {"ok": True}
