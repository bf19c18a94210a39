print("weightpack")
