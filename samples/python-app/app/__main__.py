print("hello from the python sample")
