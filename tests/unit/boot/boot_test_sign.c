#include "boot_test_sign.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

void bt_signer_new(struct bt_signer *s)
{
    static const uint8_t spki_prefix[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                            0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    uint8_t pk[32];

    assert_true(sodium_init() >= 0);
    crypto_sign_ed25519_keypair(pk, s->sk);
    memcpy(s->der, spki_prefix, sizeof(spki_prefix));
    memcpy(s->der + sizeof(spki_prefix), pk, sizeof(pk));
}

void bt_sign(const struct bt_signer *s, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    crypto_sign_ed25519_detached(sig, NULL, msg, len, s->sk);
}
