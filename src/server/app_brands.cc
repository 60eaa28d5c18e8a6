// The server's brand catalog (docs/BRANDS.md): seeded from the catalog file at the start,
// kept in the brand tables, served as a snapshot with the analyzer built on it, and
// replaced as a whole when the API changes a brand.
#include <cstddef>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "server/api_internal.h"
#include "text/normalize.h"

namespace ecoute::server {

Status BrandProblemError(const BrandProblem& problem, std::string_view prefix) {
  const std::string field = std::string(prefix) + problem.field;
  const StatusCode code = problem.reason == "already_exists" ? StatusCode::kAlreadyExists
                                                             : StatusCode::kInvalidArgument;
  std::string message = problem.message;
  if (!prefix.empty() && message.starts_with(problem.field)) message.insert(0, prefix);
  return WithDetail(Status(code, message), {problem.reason, field, problem.params});
}

namespace {

Status ProblemError(const BrandProblem& problem) { return BrandProblemError(problem, ""); }

// The index in `brands` of the brand named `name`, compared without regard to case, accents
// or separators ("kiwi energie" is "Kiwi Énergie"); npos when none.
size_t IndexOf(const std::vector<StoredBrand>& brands, std::string_view name) {
  const std::string wanted = NormalizeTerm(name);
  for (size_t i = 0; i < brands.size(); ++i) {
    if (!wanted.empty() && NormalizeTerm(brands[i].brand.name) == wanted) return i;
  }
  return std::string::npos;
}

BrandCatalog CatalogOf(const std::vector<StoredBrand>& brands) {
  BrandCatalog catalog;
  catalog.brands.reserve(brands.size());
  for (const StoredBrand& b : brands) catalog.brands.push_back(b.brand);
  return catalog;
}

}  // namespace

std::shared_ptr<const ServedCatalog> App::brands_snapshot() const {
  MutexLock lock(brands_mutex_);
  return brands_;
}

std::shared_ptr<const BrandCatalog> App::catalog_snapshot() const {
  std::shared_ptr<const ServedCatalog> served = brands_snapshot();
  return std::shared_ptr<const BrandCatalog>(served, &served->catalog);
}

std::shared_ptr<const Analyzer> App::analyzer_snapshot() const {
  std::shared_ptr<const ServedCatalog> served = brands_snapshot();
  return std::shared_ptr<const Analyzer>(served, served->analyzer.get());
}

Result<std::unique_ptr<Analyzer>> App::BuildAnalyzer(const BrandCatalog& catalog,
                                                     bool with_models) const {
  const bool models = with_models && !config_.no_model;
  return Analyzer::Create(catalog, data_dir_, models ? DefaultModelPath(data_dir_) : "",
                          models ? DefaultTopicModelPath(data_dir_) : "");
}

Result<std::vector<RecentPost>> App::RecentPosts(int limit) {
  MutexLock lock(brand_tables_mutex_);
  return brand_tables_->RecentPosts(limit);
}

Status App::LoadBrands(const BrandCatalog& file) {
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<BrandTables> tables, OpenBrandTables(config_.db_path));
  std::vector<StoredBrand> brands;
  {
    MutexLock lock(brand_tables_mutex_);
    brand_tables_ = std::move(tables);
    ECOUTE_ASSIGN_OR_RETURN(const std::vector<std::string> added,
                            brand_tables_->SeedBrands(file, clock_.Now()));
    if (!added.empty()) {
      spdlog::info("brand catalog: {} brands added from {}", added.size(), config_.brands_path);
    }
    ECOUTE_ASSIGN_OR_RETURN(brands, brand_tables_->ListBrands());
  }
  MutexLock change(brands_change_mutex_);
  return InstallCatalog(std::move(brands), nullptr);
}

Status App::InstallCatalog(std::vector<StoredBrand> brands, std::unique_ptr<Analyzer> built) {
  auto served = std::make_shared<ServedCatalog>();
  served->catalog = CatalogOf(brands);
  served->brands = std::move(brands);
  if (built == nullptr) {
    ECOUTE_ASSIGN_OR_RETURN(built, BuildAnalyzer(served->catalog, true));
  }
  served->analyzer = std::move(built);
  // The store learns the brands before any analysis that names them is stored.
  ECOUTE_RETURN_IF_ERROR(store_.Lock()->SyncBrands(served->catalog));
  MutexLock lock(brands_mutex_);
  brands_ = std::move(served);
  return OkStatus();
}

Result<StoredBrand> App::AddBrand(Brand brand, const std::string& actor) {
  if (std::optional<BrandProblem> problem = CleanBrand(brand)) return ProblemError(*problem);
  MutexLock change(brands_change_mutex_);
  std::shared_ptr<const ServedCatalog> current = brands_snapshot();
  if (std::optional<BrandProblem> clash = FindBrandClash(current->catalog, brand, "")) {
    return ProblemError(*clash);
  }
  std::vector<StoredBrand> brands = current->brands;
  const int64_t now = clock_.Now();
  brands.push_back({std::move(brand), "api", now, now, actor});
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<Analyzer> analyzer,
                          BuildAnalyzer(CatalogOf(brands), true));
  Result<StoredBrand> stored = [&] {
    MutexLock lock(brand_tables_mutex_);
    return brand_tables_->AddBrand(brands.back());
  }();
  if (!stored) return stored.error();
  brands.back() = *stored;
  ECOUTE_RETURN_IF_ERROR(InstallCatalog(std::move(brands), std::move(analyzer)));
  return stored;
}

Result<StoredBrand> App::ReplaceBrand(const std::string& name, Brand brand,
                                      const std::string& actor) {
  MutexLock change(brands_change_mutex_);
  std::shared_ptr<const ServedCatalog> current = brands_snapshot();
  std::vector<StoredBrand> brands = current->brands;
  const size_t at = IndexOf(brands, name);
  if (at == std::string::npos) return NotFoundError("no brand \"" + name + "\"");
  const std::string kept = brands[at].brand.name;
  if (brand.name.empty()) brand.name = kept;
  if (std::optional<BrandProblem> problem = CleanBrand(brand)) return ProblemError(*problem);
  if (brand.name != kept) {
    return FieldError("name_fixed", "name",
                      "a brand's name cannot change (\"" + kept +
                          "\"): the store, users, rules and teams know it by its name; add "
                          "the new name as an alias, or add a brand and delete this one",
                      {{"brand", kept}});
  }
  if (std::optional<BrandProblem> clash = FindBrandClash(current->catalog, brand, kept)) {
    return ProblemError(*clash);
  }
  StoredBrand& replaced = brands[at];
  replaced.brand = std::move(brand);
  replaced.origin = "api";
  replaced.updated_at = clock_.Now();
  replaced.updated_by = actor;
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<Analyzer> analyzer,
                          BuildAnalyzer(CatalogOf(brands), true));
  Result<StoredBrand> stored = [&] {
    MutexLock lock(brand_tables_mutex_);
    return brand_tables_->UpdateBrand(replaced);
  }();
  if (!stored) return stored.error();
  replaced = *stored;
  ECOUTE_RETURN_IF_ERROR(InstallCatalog(std::move(brands), std::move(analyzer)));
  return stored;
}

Status App::RemoveBrand(const std::string& name) {
  MutexLock change(brands_change_mutex_);
  std::vector<StoredBrand> brands = brands_snapshot()->brands;
  const size_t at = IndexOf(brands, name);
  if (at == std::string::npos) return NotFoundError("no brand \"" + name + "\"");
  const std::string stored_name = brands[at].brand.name;
  brands.erase(brands.begin() + static_cast<std::ptrdiff_t>(at));
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<Analyzer> analyzer,
                          BuildAnalyzer(CatalogOf(brands), true));
  {
    MutexLock lock(brand_tables_mutex_);
    ECOUTE_RETURN_IF_ERROR(brand_tables_->DeleteBrand(stored_name, clock_.Now()));
  }
  return InstallCatalog(std::move(brands), std::move(analyzer));
}

}  // namespace ecoute::server
