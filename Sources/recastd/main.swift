print("recastd")
