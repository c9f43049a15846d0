/*
 * The names both BlueZ transports share: the SMP GATT service and its one
 * characteristic (write without response from the client, notifications
 * from the device), and BlueZ's D-Bus names (doc/gatt-api.txt,
 * device-api.txt, adapter-api.txt, advertising-api.txt).
 */
#ifndef SMPDFU_TRANSPORT_BLUEZ_SMP_H
#define SMPDFU_TRANSPORT_BLUEZ_SMP_H

#define SMP_GATT_SERVICE_UUID "8d53dc1d-1db7-4cd3-868b-8a527460aa84"
#define SMP_GATT_CHAR_UUID "da2e7828-fbce-4e01-ae9e-261174997c48"

#define BLUEZ_SERVICE "org.bluez"
#define BLUEZ_ADAPTER "org.bluez.Adapter1"
#define BLUEZ_DEVICE "org.bluez.Device1"
#define BLUEZ_GATT_SERVICE "org.bluez.GattService1"
#define BLUEZ_GATT_CHAR "org.bluez.GattCharacteristic1"
#define BLUEZ_GATT_MANAGER "org.bluez.GattManager1"
#define BLUEZ_ADV "org.bluez.LEAdvertisement1"
#define BLUEZ_ADV_MANAGER "org.bluez.LEAdvertisingManager1"
#define DBUS_OBJECT_MANAGER "org.freedesktop.DBus.ObjectManager"
#define DBUS_PROPERTIES "org.freedesktop.DBus.Properties"

#endif
