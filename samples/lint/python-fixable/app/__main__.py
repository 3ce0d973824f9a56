print("hello from the python lint sample")
