// Importing products (with their prices) and purchase lines from CSV files.
//
// Same rules as crm/csv_import.hpp: UTF-8 with a header row, one import one
// transaction, bad rows reported with their line and skipped (or, with
// `strict`, nothing written), `dry_run` counts and writes nothing.
//
// products: sku and name required; category, serialised (true/false,
// yes/no, 1/0), warranty_months; price (an amount, or "12.50 EUR"),
// currency (when price has none), price_from (required with a price) and
// price_to add a price to the list. Mode create refuses a SKU that exists;
// update and upsert change it (a price is added either way).
//
// purchase lines: interaction_id and sku required; quantity (default 1);
// unit_price (an amount with currency, or with a currency column; empty:
// the price list's price on the purchase day); serial registers the unit as
// an asset of the purchase's customer, bought on the purchase day.
#pragma once

#include <filesystem>

#include "crm/csv_import.hpp"
#include "crm/export.hpp"
#include "crm/store.hpp"

namespace crm {

// Throws InvalidInput naming the file for an unreadable file, or a header
// without a required column or (with `strict`) with an unknown one.
CRM_API ImportReport import_products(Store& store, const std::filesystem::path& file,
                                     const ImportOptions& options);
CRM_API ImportReport import_purchase_lines(Store& store, const std::filesystem::path& file,
                                           const ImportOptions& options);

}  // namespace crm
