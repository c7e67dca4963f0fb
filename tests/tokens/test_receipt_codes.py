def test_new_access_codes_use_the_whole_alphabet_at_every_position() -> None:
    from localgov.tokens.receipt import ACCESS_CODE_ALPHABET, ACCESS_CODE_LENGTH, new_access_code

    # 32 symbols are 5 bits each: the code is read 5 bits at a time from one draw.
    assert len(ACCESS_CODE_ALPHABET) == 32
    codes = [new_access_code() for _ in range(4000)]
    assert all(len(code) == ACCESS_CODE_LENGTH and set(code) <= set(ACCESS_CODE_ALPHABET) for code in codes)
    for position in range(ACCESS_CODE_LENGTH):
        # Each of the 32 symbols appears about 125 times in 4000 codes; missing one is a bias.
        assert {code[position] for code in codes} == set(ACCESS_CODE_ALPHABET)
    assert len(set(codes)) == len(codes)
